import type { Knex } from 'knex';

// A Bulk request is logged as one entry for the request and one per operation, each operation
// entry pointing at its request's entry and carrying the path and bulkId the provider sent, so a
// Bulk can be read operation by operation like single writes.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('scim_provisioning_log', (t) => {
    t.bigInteger('bulk_entry_id')
      .nullable()
      .references('scim_provisioning_log.id')
      .onDelete('CASCADE');
    t.text('path').nullable();
    t.text('bulk_id').nullable();
  });
  await knex.raw(
    'create index scim_provisioning_log_bulk_idx on scim_provisioning_log (bulk_entry_id) where bulk_entry_id is not null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('scim_provisioning_log', (t) => {
    t.dropColumn('bulk_id');
    t.dropColumn('path');
    t.dropColumn('bulk_entry_id');
  });
}
