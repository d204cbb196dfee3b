import type { Knex } from 'knex';

// Sign-in state kept in the database, so that it survives a restart and several daemons on one
// PostgreSQL agree: sessions (only a SHA-256 of the token), failed-attempt counters for the
// lock-out, the short-lived state of redirect sign-ins (OIDC state/nonce/PKCE, SAML request id),
// and the SAML assertion ids already consumed (replay refusal) until they expire.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.uuid('member_id').notNullable().references('members.id').onDelete('CASCADE');
    t.binary('token_hash').notNullable().unique();
    t.text('source').notNullable();
    t.boolean('must_change_password').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
  });
  await knex.raw('create index sessions_member_idx on sessions (member_id)');

  await knex.schema.createTable('sign_in_failures', (t) => {
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('login_key').notNullable();
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true }).nullable();
    t.timestamp('last_failure_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['org_id', 'login_key']);
  });

  await knex.schema.createTable('sign_in_flows', (t) => {
    t.binary('id_hash').primary();
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('source').notNullable();
    t.jsonb('data').notNullable();
    t.text('invitation_token').nullable();
    t.text('return_to').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('consumed_assertions', (t) => {
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('source').notNullable();
    t.text('assertion_id').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['org_id', 'source', 'assertion_id']);
  });
  await knex.raw('create index consumed_assertions_expiry_idx on consumed_assertions (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['consumed_assertions', 'sign_in_flows', 'sign_in_failures', 'sessions']) {
    await knex.schema.dropTableIfExists(table);
  }
}
