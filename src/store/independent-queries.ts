import type { Knex } from 'knex';

/**
 * Runs independent reads: at once on the pool, where each gets its own connection, but one after
 * the other inside a transaction. A transaction is a single connection, so running them at once
 * gains nothing there, and pg 8 warns about a query sent while another one runs (pg 9 refuses it).
 * The queries are given as functions so that none starts before its turn.
 */
export async function independentQueries<T extends readonly unknown[] | []>(
  db: Knex | Knex.Transaction,
  queries: { [K in keyof T]: () => PromiseLike<T[K]> },
): Promise<T> {
  const run = queries as ReadonlyArray<() => PromiseLike<unknown>>;
  if (!db.isTransaction) return (await Promise.all(run.map((query) => query()))) as unknown as T;
  const results: unknown[] = [];
  for (const query of run) results.push(await query());
  return results as unknown as T;
}
