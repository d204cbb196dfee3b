import type { Knex } from 'knex';

/**
 * The rows of a raw statement (a CTE, unnest(), a lateral join: what the query builder cannot
 * say), typed by the caller once. knex types raw results as `any`; both drivers answer with
 * `{ rows }`.
 */
export async function rawRows<Row>(
  db: Knex | Knex.Transaction,
  sql: string,
  bindings: readonly Knex.RawBinding[] = [],
): Promise<Row[]> {
  const result: { rows: Row[] } = await db.raw(sql, bindings);
  return result.rows;
}
