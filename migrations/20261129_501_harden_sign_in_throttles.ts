import type { Knex } from 'knex';

// Sign-in throttling by client address and by login and address: a lock-out doubles each time
// it comes back (lockouts), and the addresses a login last signed in from are remembered, so
// that failures from elsewhere cannot lock the member out of their own address.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sign_in_failures', (t) => {
    t.integer('lockouts').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('sign_in_known_addresses', (t) => {
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('login_key').notNullable();
    t.text('address').notNullable();
    t.timestamp('last_success_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['org_id', 'login_key', 'address']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sign_in_known_addresses');
  await knex.schema.alterTable('sign_in_failures', (t) => {
    t.dropColumn('lockouts');
  });
}
