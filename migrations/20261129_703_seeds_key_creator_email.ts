import type { Knex } from 'knex';

// An API key's details show its creator's email (seed 004); keys made before it show none.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.text('created_by_email').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropColumn('created_by_email');
  });
}
