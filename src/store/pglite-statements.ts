import { type PGlite, type Results, parse as results, protocol } from '@electric-sql/pglite';
import { isPlanResultChanged } from './pg-errors.ts';

// PGlite's `query` has PostgreSQL parse and plan each statement again, in WebAssembly: for the
// SCIM look-ups and writes that took 0.3–0.45 ms of planning against 0.06–0.14 ms of execution
// (`explain analyze`). Here a statement with parameters is parsed once under a name, as the daemon
// does on PostgreSQL (prepared-select.ts), and each run binds and executes it in one call into
// PGlite instead of six. A statement without parameters (DDL, BEGIN, COMMIT) runs as before, and
// so does one with very many (a bulk insert). A statement first met inside a transaction is not
// named either: those are a sync's or an import's batches, whose shapes vary with each batch
// (`in (?, ?, …)`) and whose planning is a small share of their work, while each named plan stays
// in the database's memory.

const { serialize } = protocol;

/** The named statements kept: past this many, a new statement text runs unnamed. */
export const PGLITE_STATEMENTS = 200;

/**
 * A statement with more parameters runs unnamed: a bulk insert's text and plan are large, its
 * shape rarely repeats, and planning is a small share of its work.
 */
const MOST_PARAMETERS = 100;

interface Statement {
  name: string;
  /** The parameters' type ids, which choose how each value is serialized. */
  types: number[];
}

export interface PgliteStatements {
  query(sql: string, params: readonly unknown[]): Promise<Results>;
}

export function pgliteStatements(pglite: PGlite): PgliteStatements {
  const statements = new Map<string, Statement>();
  let named = 0;

  const exchange = async (message: Uint8Array) =>
    (await pglite.execProtocol(message, { syncToFs: false })).messages;

  const prepare = async (sql: string): Promise<Statement> => {
    const statement: Statement = { name: `provisiond_${++named}`, types: [] };
    const messages = [];
    try {
      messages.push(...(await exchange(serialize.parse({ name: statement.name, text: sql }))));
      messages.push(...(await exchange(serialize.describe({ type: 'S', name: statement.name }))));
    } finally {
      messages.push(...(await exchange(serialize.sync())));
    }
    statement.types = results.parseDescribeStatementResults(messages);
    statements.set(sql, statement);
    return statement;
  };

  const run = async (statement: Statement, params: readonly unknown[]): Promise<Results> => {
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = pglite.serializers[statement.types[i]!];
      return serializer ? serializer(value) : String(value);
    });
    const message = concat([
      serialize.bind({ statement: statement.name, values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]);
    const { messages } = await pglite.execProtocol(message, {
      syncToFs: false,
      throwOnError: false,
    });
    const failure = messages.find((m) => m.name === 'error');
    if (failure) throw failure;
    // As PGlite's own query does: a no-op on a data directory on disk.
    await pglite.syncToFs();
    return results.parseResults(messages, pglite.parsers)[0]!;
  };

  return {
    async query(sql, params) {
      let statement = statements.get(sql);
      if (!statement) {
        const worth =
          params.length > 0 && params.length <= MOST_PARAMETERS && !pglite.isInTransaction();
        if (!worth || statements.size >= PGLITE_STATEMENTS)
          return pglite.query(sql, params as unknown[]);
        statement = await prepare(sql);
      }
      try {
        return await run(statement, params);
      } catch (error) {
        if (!isPlanResultChanged(error)) throw error;
        // Prepared before a migration changed what it returns: prepared again. Within a
        // transaction the error has ended it, and is the answer; a later run outside one
        // prepares the statement afresh.
        statements.delete(sql);
        if (pglite.isInTransaction()) throw error;
        await exchange(
          concat([serialize.close({ type: 'S', name: statement.name }), serialize.sync()]),
        );
        return run(await prepare(sql), params);
      }
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
