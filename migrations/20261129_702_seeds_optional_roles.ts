import type { Knex } from 'knex';

// Roles optional where the seeds make them optional (the German seed): an organization may allow
// invitations that give no role (the invitee gets only the defaults for new members), and a
// role's parameter may be declared optional (a default project) rather than required (a Vertex ID).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.boolean('allow_invitations_without_role').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('roles', (t) => {
    t.boolean('parameter_required').notNullable().defaultTo(true);
  });
  await knex.raw('alter table invitations alter column role_id drop not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('delete from invitations where role_id is null');
  await knex.raw('alter table invitations alter column role_id set not null');
  await knex.schema.alterTable('roles', (t) => {
    t.dropColumn('parameter_required');
  });
  await knex.schema.alterTable('organizations', (t) => {
    t.dropColumn('allow_invitations_without_role');
  });
}
