import type { Knex } from 'knex';

// Directory sync: how a member and a group are linked to their directory record (with the
// record's content hash, so unchanged records cost no write), run records, and per-source state
// (the incremental token and the lease that lets one daemon run a source at a time).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('identity_links', (t) => {
    // How the source's groups name the member (DN or login, lower-cased).
    t.text('ref').nullable();
    // The member was disabled by sync (gone from the directory or disabled there): a reappearance re-enables it.
    t.boolean('disabled_by_sync').notNullable().defaultTo(false);
  });
  await knex.raw('create index identity_links_ref_idx on identity_links (org_id, source, ref)');

  await knex.schema.createTable('group_links', (t) => {
    t.uuid('group_id').primary().references('groups.id').onDelete('CASCADE');
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('source').notNullable();
    t.text('external_id').notNullable();
    t.text('ref').notNullable();
    t.text('content_hash').notNullable();
    // Hash of the member refs last applied: an unchanged member list skips the membership diff.
    t.text('members_hash').nullable();
    t.unique(['org_id', 'source', 'external_id']);
  });

  await knex.schema.createTable('sync_runs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('source').notNullable();
    t.text('mode').notNullable();
    t.text('status').notNullable();
    t.text('trigger').notNullable();
    t.jsonb('counts').notNullable().defaultTo('{}');
    t.jsonb('samples').notNullable().defaultTo('{}');
    // A held run's disables and deletions, applied as they were shown if an administrator approves.
    t.jsonb('held').nullable();
    t.text('error').nullable();
    t.text('token_before').nullable();
    t.text('token_after').nullable();
    t.text('decided_by').nullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true }).nullable();
  });
  await knex.raw(`alter table sync_runs
    add constraint sync_runs_mode_check check (mode in ('full', 'incremental')),
    add constraint sync_runs_status_check check (status in ('running', 'succeeded', 'failed', 'held', 'approved', 'rejected'))`);
  await knex.raw('create index sync_runs_org_idx on sync_runs (org_id, started_at desc)');
  await knex.raw(
    'create index sync_runs_source_idx on sync_runs (org_id, source, started_at desc)',
  );

  await knex.schema.createTable('sync_state', (t) => {
    t.uuid('org_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('source').notNullable();
    t.text('token').nullable();
    t.text('lease_owner').nullable();
    t.timestamp('lease_until', { useTz: true }).nullable();
    t.primary(['org_id', 'source']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sync_state');
  await knex.schema.dropTableIfExists('sync_runs');
  await knex.schema.dropTableIfExists('group_links');
  await knex.raw('drop index if exists identity_links_ref_idx');
  await knex.schema.alterTable('identity_links', (t) => {
    t.dropColumn('ref');
    t.dropColumn('disabled_by_sync');
  });
}
