import type { Knex } from 'knex';

// Directory sync you can leave alone: a source's health (consecutive failures, the back-off they
// earn, quarantine, and the last error with its code), and on run records the removals a run left
// for the held run's decision and the outcome of that decision.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_state', (t) => {
    t.integer('failures').notNullable().defaultTo(0);
    // Scheduled runs wait until then after a failure (exponential back-off, capped).
    t.timestamp('retry_after', { useTz: true }).nullable();
    // Set after too many consecutive failures: scheduled runs stop until resumed or a manual run succeeds.
    t.timestamp('quarantined_at', { useTz: true }).nullable();
    t.text('last_error').nullable();
    t.text('last_error_code').nullable();
    t.timestamp('last_failure_at', { useTz: true }).nullable();
  });
  await knex.schema.alterTable('sync_runs', (t) => {
    // Removals this run found but did not apply because an earlier run of the source is held.
    t.integer('withheld').notNullable().defaultTo(0);
    t.uuid('withheld_for').nullable();
    // A held run's decision: how many removals were applied, and how many records had come back.
    t.jsonb('decision').nullable();
    t.timestamp('decided_at', { useTz: true }).nullable();
  });
  await knex.raw(
    `create index sync_runs_held_idx on sync_runs (org_id, source) where status = 'held'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists sync_runs_held_idx');
  await knex.schema.alterTable('sync_runs', (t) => {
    t.dropColumn('withheld');
    t.dropColumn('withheld_for');
    t.dropColumn('decision');
    t.dropColumn('decided_at');
  });
  await knex.schema.alterTable('sync_state', (t) => {
    for (const c of [
      'failures',
      'retry_after',
      'quarantined_at',
      'last_error',
      'last_error_code',
      'last_failure_at',
    ])
      t.dropColumn(c);
  });
}
