import type { Knex } from 'knex';

// The first migration's trigram index is on `email` alone; the member search matches
// `coalesce(email, '')` and uses the index of migration 803 instead, in this release and in the
// previous one, so nothing reads the old index. Dropping it is not a contraction (no release
// needs it) and it halves the trigram work of every member insert and of every name change.

export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists members_search_idx');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`create index members_search_idx on members using gin (
    (lower(username || ' ' || email || ' ' || first_name || ' ' || last_name || ' ' || display_name)) gin_trgm_ops)`);
}
