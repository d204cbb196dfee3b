import type { Knex } from 'knex';

// A GIN index takes new entries into a pending list and merges the list into the index when it
// outgrows gin_pending_list_limit, inside whichever insert or update crossed it. At the default
// 4 MB, that write took 110–220 ms on the embedded database, about once every 4,000 new or
// renamed members, and every request queued behind its one connection waited as long. With
// 512 kB, a merge takes at most about 35 ms, eight times as often, for the same work in all.
// @see https://www.postgresql.org/docs/current/gin.html#GIN-FAST-UPDATE

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter index members_search_text_idx set (gin_pending_list_limit = 512)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter index members_search_text_idx reset (gin_pending_list_limit)');
}
