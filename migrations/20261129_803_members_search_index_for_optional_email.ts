import type { Knex } from 'knex';

// The member search matches `coalesce(email, '')` since email became optional, and the trigram
// index of the first migration is on `email` alone: no search used it (a sequential scan on every
// search; members without an address were not found through it either). This index is on the
// expression the search uses. The old one goes in a later contraction, once no release uses it.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index members_search_any_email_idx on members using gin (
    (lower(username || ' ' || coalesce(email, '') || ' ' || first_name || ' ' || last_name || ' ' || display_name)) gin_trgm_ops)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists members_search_any_email_idx');
}
