import type { Knex } from 'knex';

// Every write to a member sets updated_at. While an index held it, no write could update the row
// in place (a heap-only tuple): each SCIM PATCH wrote a new entry in all twelve of the table's
// indexes, two of them GIN indexes, whose pending lists an identity provider's stream of PATCHes
// kept filling. Without it, a write that changes no indexed column writes no index entry.
//
// What the index served, sorting the members list by when they last changed, now sorts the
// organization's members instead: about 100 ms at 100,000 members, against about 45 ms with the
// index. The previous release's queries give the same answers without it, so it goes in this
// release rather than in a contraction.

export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop index members_org_updated_idx');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('create index members_org_updated_idx on members (org_id, updated_at, id)');
}
