import type { Knex } from 'knex';

// Listing pages select ids first from an index alone (a deferred join), so the indexes that
// serve the sorts carry the member id: deep pages then skip index entries, not table rows.
// The username index also carries username itself: PostgreSQL scans an expression index
// (lower(username)) index-only only when the columns under the expression are in it too.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'create unique index members_username_covering on members (org_id, lower(username)) include (id, username)',
  );
  await knex.raw('drop index members_username_key');
  await knex.raw('alter index members_username_covering rename to members_username_key');
  await knex.raw('drop index members_org_email_idx');
  await knex.raw('create index members_org_email_idx on members (org_id, lower(email), id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('create unique index members_username_plain on members (org_id, lower(username))');
  await knex.raw('drop index members_username_key');
  await knex.raw('alter index members_username_plain rename to members_username_key');
  await knex.raw('drop index members_org_email_idx');
  await knex.raw('create index members_org_email_idx on members (org_id, lower(email))');
}
