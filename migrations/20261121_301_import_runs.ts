import type { Knex } from 'knex';

// Bulk imports (R-IMP): a run holds the uploaded file (in chunks, so that a large file is never
// one value in memory), its validation report, and how far applying it has come, so that an
// interrupted apply resumes where it stopped and a confirmed run is applied once.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('import_runs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('format').notNullable();
    t.text('mode').notNullable();
    t.jsonb('options').notNullable().defaultTo('{}');
    t.text('file_name').nullable();
    t.text('file_sha256').notNullable();
    t.bigInteger('file_bytes').notNullable();
    t.text('status').notNullable().defaultTo('validated');
    t.jsonb('report').notNullable();
    t.integer('rows_to_create').notNullable().defaultTo(0);
    t.integer('applied_through_line').notNullable().defaultTo(0);
    t.integer('created').notNullable().defaultTo(0);
    t.integer('already_present').notNullable().defaultTo(0);
    t.text('error').nullable();
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('applied_at', { useTz: true }).nullable();
  });
  await knex.raw(`alter table import_runs
    add constraint import_runs_status_check check (status in ('validated', 'applying', 'applied', 'failed')),
    add constraint import_runs_format_check check (format in ('csv', 'createusers'))`);
  await knex.raw(
    'create index import_runs_org_file_idx on import_runs (org_id, file_sha256, mode)',
  );
  await knex.schema.createTable('import_chunks', (t) => {
    t.uuid('run_id').notNullable().references('import_runs.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.binary('data').notNullable();
    t.primary(['run_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('import_chunks');
  await knex.schema.dropTable('import_runs');
}
