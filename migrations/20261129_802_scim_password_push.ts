import type { Knex } from 'knex';

// Password push from identity providers, per organization and off by default: when on, a
// password sent over SCIM becomes the member's built-in password.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.boolean('scim_password_push').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.dropColumn('scim_password_push');
  });
}
