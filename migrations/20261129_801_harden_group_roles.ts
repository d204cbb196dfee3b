import type { Knex } from 'knex';

// Roles held within one group: a code scoped to a group grants its roles there, not in the whole
// organization. And a code may carry the parameter of a role that needs one.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('group_roles', (t) => {
    t.uuid('member_id').notNullable().references('members.id').onDelete('CASCADE');
    t.uuid('group_id').notNullable().references('groups.id').onDelete('CASCADE');
    t.uuid('role_id').notNullable().references('roles.id');
    t.text('parameter').nullable();
    t.primary(['member_id', 'group_id', 'role_id']);
    t.index(['role_id']);
    t.index(['group_id']);
  });
  await knex.schema.alterTable('invitation_codes', (t) => {
    t.text('role_parameter').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invitation_codes', (t) => {
    t.dropColumn('role_parameter');
  });
  await knex.schema.dropTableIfExists('group_roles');
}
