import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isPlanResultChanged } from './pg-errors.ts';

// Hot statements (SCIM look-ups and writes, API key checks) run as named prepared statements on
// PostgreSQL: planning a query costs more than running it (≈1–2 ms against ≈0.1–0.5 ms here), and
// a named statement is planned once per connection. The name is the statement's hash, so several
// shapes (one per filter form) coexist. On PGlite the database's own thread names statements
// (pglite-statements.ts): here the statement goes to a session of that thread as is. Either way it
// is handed to the connection directly, past knex's query runner, whose work per statement showed
// in the daemon's profile. A query inside a transaction runs through knex as before (it must stay
// on the transaction's connection).

interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** A session of the embedded database's thread (pglite-thread.ts). */
interface PgliteConnection {
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

interface PooledClient {
  acquireConnection(): Promise<PgConnection | PgliteConnection>;
  releaseConnection(connection: PgConnection | PgliteConnection): Promise<void>;
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
  if (!outsideTransaction(db)) return (await query) as T[];
  return runOnConnection<T>(db, query.toSQL().toNative(), 'select');
}

/**
 * A read its caller writes in PostgreSQL's own form (`$1`, `$2`…), once per shape, run as
 * `selectRows` runs a query builder's: nothing is compiled per request. Compiling the builders of
 * the SCIM reads took 4.7–6.5 % of the daemon's thread under GET load. Inside a transaction it
 * runs through the transaction, in knex's form.
 */
export async function selectSql<T>(
  db: Knex | Knex.Transaction,
  sql: string,
  values: readonly unknown[],
): Promise<T[]> {
  if (outsideTransaction(db)) return runOnConnection<T>(db, { sql, bindings: values }, 'select');
  const ordered: unknown[] = [];
  const inKnexForm = sql.replace(/\?/g, '\\?').replace(/\$(\d+)/g, (_, n: string) => {
    ordered.push(values[Number(n) - 1]);
    return '?';
  });
  return ((await db.raw(inKnexForm, ordered as Knex.RawBinding[])) as { rows: T[] }).rows;
}

/** A fragment with knex's `?` placeholders in PostgreSQL's form, numbered from `first`. */
export function numberedPlaceholders(sql: string, first: number): string {
  let next = first;
  return sql.replace(/\?/g, () => `$${next++}`);
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
  if (!outsideTransaction(db)) return ((await raw) as { rows: T[] }).rows;
  return runOnConnection<T>(db, raw.toSQL().toNative(), 'raw');
}

function outsideTransaction(db: Knex | Knex.Transaction): boolean {
  return !(db as Knex.Transaction).isTransaction;
}

async function runOnConnection<T>(
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
    const rows =
      'pglite' in db.client
        ? (await (connection as PgliteConnection).query(sql, bindings as unknown[])).rows
        : await runNamed(connection as PgConnection, sql, bindings as unknown[]);
    client.emit('query-response', rows, event);
    return rows as T[];
  } catch (error) {
    client.emit('query-error', error, event);
    throw error;
  } finally {
    await client.releaseConnection(connection);
  }
}

async function runNamed(
  connection: PgConnection,
  sql: string,
  values: unknown[],
): Promise<unknown[]> {
  const run = async (name: string | undefined) =>
    (await connection.query({ ...(name && { name }), text: sql, values })).rows;
  const name = nameOn(connection, sql);
  try {
    return await run(name);
  } catch (error) {
    if (!name || !isPlanResultChanged(error)) throw error;
    // A newer release's migration changed what the statement returns while this daemon runs
    // (the previous release keeps serving during an upgrade): on this connection it runs
    // unnamed from now on. Outside a transaction, the refused run changed nothing.
    keptOn(connection).refused.add(name);
    return run(undefined);
  }
}
