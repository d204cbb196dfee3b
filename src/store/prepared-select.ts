import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isPlanResultChanged } from './pg-errors.ts';

// Hot statements (SCIM look-ups and writes, API key checks) run as named prepared statements on
// PostgreSQL: planning a query costs more than running it (≈1–2 ms against ≈0.1–0.5 ms here), and
// a named statement is planned once per connection. The name is the statement's hash, so several
// shapes (one per filter form) coexist. On PGlite the database's own thread names statements
// (pglite-statements.ts): here the query runs as is, and so does any query inside a transaction
// (it must stay on the transaction's connection).

interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

interface PooledClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
  emit(event: string, ...args: unknown[]): boolean;
}

const names = new Map<string, string>();

/**
 * The named statements one connection keeps. A SCIM client chooses its filters, and each filter
 * form is a statement of its own text: past this many on a connection, a new form runs unnamed
 * (planned each time), so that endless forms cannot grow a PostgreSQL backend's memory. The
 * daemon's own hot statements are a few dozen.
 */
export const STATEMENTS_PER_CONNECTION = 100;

interface Kept {
  /** The names of the statements the connection keeps. */
  held: Set<string>;
  /** Those whose plan PostgreSQL refused since: they run unnamed on this connection. */
  refused: Set<string>;
}

const kept = new WeakMap<PgConnection, Kept>();

function keptOn(connection: PgConnection): Kept {
  let statements = kept.get(connection);
  if (!statements) {
    statements = { held: new Set(), refused: new Set() };
    kept.set(connection, statements);
  }
  return statements;
}

/** The name to run `sql` under on `connection`, or none once the connection keeps its share. */
function nameOn(connection: PgConnection, sql: string): string | undefined {
  const name = statementName(sql);
  const { held, refused } = keptOn(connection);
  if (refused.has(name)) return undefined;
  if (held.has(name)) return name;
  if (held.size >= STATEMENTS_PER_CONNECTION) return undefined;
  held.add(name);
  return name;
}

function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `p_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    if (names.size > 5000) names.clear();
    names.set(sql, name);
  }
  return name;
}

export async function selectRows<T>(
  db: Knex | Knex.Transaction,
  query: Knex.QueryBuilder,
): Promise<T[]> {
  if (!preparable(db)) return (await query) as T[];
  return runNamed<T>(db, query.toSQL().toNative(), 'select');
}

/**
 * A statement in knex's raw form (`?` placeholders), prepared as `selectRows` prepares a read: the
 * writes SCIM makes on every request are planned once per connection too.
 */
export async function preparedRaw<T>(
  db: Knex | Knex.Transaction,
  sql: string,
  bindings: readonly unknown[],
): Promise<T[]> {
  const raw = db.raw(sql, bindings as Knex.RawBinding[]);
  if (!preparable(db)) return ((await raw) as { rows: T[] }).rows;
  return runNamed<T>(db, raw.toSQL().toNative(), 'raw');
}

function preparable(db: Knex | Knex.Transaction): boolean {
  return !('pglite' in db.client) && !(db as Knex.Transaction).isTransaction;
}

async function runNamed<T>(
  db: Knex | Knex.Transaction,
  { sql, bindings }: { sql: string; bindings: readonly unknown[] },
  method: string,
): Promise<T[]> {
  const client = db.client as PooledClient;
  // The events knex sends for its own queries, so that tracing and statement counts see these too.
  const event = { __knexQueryUid: randomUUID(), method, sql, bindings };
  client.emit('query', event);
  const connection = await client.acquireConnection();
  const run = (name: string | undefined) =>
    connection.query({ ...(name && { name }), text: sql, values: bindings as unknown[] });
  try {
    const name = nameOn(connection, sql);
    let result: { rows: unknown[] };
    try {
      result = await run(name);
    } catch (error) {
      if (!name || !isPlanResultChanged(error)) throw error;
      // A newer release's migration changed what the statement returns while this daemon runs
      // (the previous release keeps serving during an upgrade): on this connection it runs
      // unnamed from now on. Outside a transaction, the refused run changed nothing.
      keptOn(connection).refused.add(name);
      result = await run(undefined);
    }
    client.emit('query-response', result.rows, event);
    return result.rows as T[];
  } catch (error) {
    client.emit('query-error', error, event);
    throw error;
  } finally {
    await client.releaseConnection(connection);
  }
}
