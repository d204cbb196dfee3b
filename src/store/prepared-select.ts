import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

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

const prepared = new WeakMap<PgConnection, Set<string>>();

/** The name to run `sql` under on `connection`, or none once the connection keeps its share. */
function nameOn(connection: PgConnection, sql: string): string | undefined {
  const name = statementName(sql);
  let held = prepared.get(connection);
  if (!held) {
    held = new Set();
    prepared.set(connection, held);
  }
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
  try {
    const name = nameOn(connection, sql);
    const { rows } = await connection.query({
      ...(name && { name }),
      text: sql,
      values: bindings as unknown[],
    });
    client.emit('query-response', rows, event);
    return rows as T[];
  } catch (error) {
    client.emit('query-error', error, event);
    throw error;
  } finally {
    await client.releaseConnection(connection);
  }
}
