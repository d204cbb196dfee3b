import type { Knex } from 'knex';

// What each SCIM write asked for and what came of it, per organization: the first page an identity
// provider's administrator reads when provisioning misbehaves. Names of attributes only, never
// their values. Kept for scim.logRetentionDays.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('scim_provisioning_log', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('key_id').nullable();
    t.text('key_title').nullable();
    t.text('method').notNullable();
    t.text('operation').notNullable();
    t.text('resource_type').notNullable();
    t.text('target_id').nullable();
    t.integer('status').notNullable();
    t.specificType('attributes', 'text[]').notNullable().defaultTo('{}');
    t.text('detail').nullable();
  });
  await knex.raw(
    'create index scim_provisioning_log_org_at_idx on scim_provisioning_log (org_id, at desc, id desc)',
  );
  await knex.raw('create index scim_provisioning_log_at_idx on scim_provisioning_log (at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scim_provisioning_log');
}
