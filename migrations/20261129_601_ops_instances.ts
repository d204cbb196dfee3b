import type { Knex } from 'knex';

// The processes (daemons, and CLI commands on PostgreSQL) working on this database, so that a
// lease held by one that died is taken over at once rather than when it expires. A process is
// alive while it holds the PostgreSQL advisory lock `lock_key` on its own connection: the server
// lets go of it the moment that connection ends, kill -9 included. Each process also records a
// fingerprint of its invitation link key, so that daemons with different keys are refused.
//
// Expand only: every column added here is nullable, and the previous release, which knows none of
// them, keeps working on this schema (its leases simply carry no instance).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('instances', (t) => {
    t.uuid('id').primary();
    t.text('kind').notNullable();
    t.text('host').notNullable();
    t.integer('pid').notNullable();
    t.integer('lock_key').notNullable().unique();
    t.text('link_key_id').nullable();
    t.text('release').nullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('heartbeat_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.alterTable('sync_state', (t) => {
    t.uuid('lease_instance').nullable();
  });
  await knex.schema.alterTable('sync_runs', (t) => {
    t.uuid('instance_id').nullable();
  });
  await knex.raw(
    `create index sync_runs_running_idx on sync_runs (instance_id) where status = 'running'`,
  );
  await knex.schema.alterTable('import_runs', (t) => {
    t.uuid('instance_id').nullable();
  });
  await knex.schema.alterTable('mail_outbox', (t) => {
    t.uuid('claimed_by').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mail_outbox', (t) => t.dropColumn('claimed_by'));
  await knex.schema.alterTable('import_runs', (t) => t.dropColumn('instance_id'));
  await knex.raw('drop index if exists sync_runs_running_idx');
  await knex.schema.alterTable('sync_runs', (t) => t.dropColumn('instance_id'));
  await knex.schema.alterTable('sync_state', (t) => t.dropColumn('lease_instance'));
  await knex.schema.dropTableIfExists('instances');
}
