import type { Knex } from 'knex';

// Import files are stored sealed (their password column must not be readable at rest) and are
// dropped once applied. Chunks stored before keep working (sealed = false); those of files
// already applied are dropped now.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_chunks', (t) => {
    t.boolean('sealed').notNullable().defaultTo(false);
  });
  await knex('import_chunks')
    .whereIn('run_id', knex('import_runs').where('status', 'applied').select('id'))
    .delete();
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_chunks', (t) => {
    t.dropColumn('sealed');
  });
}
