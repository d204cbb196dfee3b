import type { Knex } from 'knex';

// Every change a sync run made, named by login with its attribute changes, so that a run's full
// change list can be exported (paged: a run may carry 100,000 of them). Samples on the run record
// stay the quick look; these rows are the whole story. They go with their run.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sync_changes', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('run_id').notNullable().references('sync_runs.id').onDelete('CASCADE');
    t.text('action').notNullable();
    t.text('login').notNullable();
    t.text('external_id').notNullable();
    t.text('detail').nullable();
    // [{ field, before, after }] for updates.
    t.jsonb('attributes').nullable();
  });
  await knex.raw('create index sync_changes_run_idx on sync_changes (run_id, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sync_changes');
}
