import { setFlagsFromString } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { PgliteRequest, PgliteResponse, PgliteStart } from './pglite-thread.ts';
import { readTemplate, unpackTemplate } from './pglite-template.ts';
import { byteaParsers, byteaSerializers } from './pglite-bytea.ts';
import { type PgliteStatements, pgliteStatements } from './pglite-statements.ts';

// The embedded database's own thread: PGlite runs here, so that its WebAssembly work never holds
// the daemon's event loop (see pglite-thread.ts, which starts this file and speaks to it).

const start = workerData as PgliteStart;
const port = parentPort!;

/** PostgreSQL's error fields (pg-protocol's DatabaseError): a clone of an Error keeps none of them. */
const ERROR_FIELDS = [
  'code',
  'severity',
  'detail',
  'hint',
  'position',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'routine',
] as const;

function describe(error: unknown): NonNullable<PgliteResponse['error']> {
  const e = error instanceof Error ? error : new Error(String(error));
  const fields: Record<string, unknown> = {};
  for (const field of ERROR_FIELDS) {
    const value = (e as unknown as Record<string, unknown>)[field];
    if (value !== undefined) fields[field] = value;
  }
  return { name: e.name, message: e.message, fields };
}

/**
 * V8 compiles a WebAssembly function quickly when it is first called (Liftoff), then again with
 * its optimizing compiler (TurboFan) once it has used up a budget of executed code.
 * PostgreSQL's start and a daemon's first statements run a great many functions just often
 * enough: with the default budget, V8's background threads spent 1.5–1.9 s of CPU in a restart's
 * first seconds, beside the daemon loading itself on the same cores. With ten times the budget
 * they spent 1.1–1.2 s; the restart was a few hundred milliseconds shorter, the idle daemon held
 * 20–30 MB less, and SCIM and bulk inserts on the embedded database were no slower. Functions
 * that stay hot are still optimized, after ten times as much work.
 *
 * Set before PGlite's module is compiled and instantiated, it does as much as the same flag given
 * to `node` on the command line.
 * @see https://v8.dev/blog/wasm-dynamic-tiering
 */
function optimizeOnlyHotWasm(): void {
  setFlagsFromString('--wasm-tiering-budget=18000000');
}

async function open(): Promise<PGlite> {
  const { copy, dataDir } = start;
  optimizeOnlyHotWasm();
  if (copy && dataDir) unpackTemplate(copy, dataDir);
  const loadDataDir = copy && !dataDir ? readTemplate(copy) : null;
  if (copy && !dataDir && !loadDataDir) throw new Error(`${copy} could not be read`);
  // The options-only form: `new PGlite(undefined, options)` drops the extensions.
  const pglite = new PGlite({
    dataDir,
    extensions: { pg_trgm },
    serializers: byteaSerializers,
    parsers: byteaParsers,
    startParams: [...PGlite.defaultStartParams, ...start.startParams],
    ...(loadDataDir && { loadDataDir }),
  });
  await pglite.waitReady;
  return pglite;
}

async function answer(
  pglite: PGlite,
  statements: PgliteStatements,
  request: PgliteRequest,
): Promise<PgliteResponse> {
  switch (request.op) {
    case 'query':
      return { id: request.id, result: await statements.query(request.sql, request.params ?? []) };
    case 'exec':
      return { id: request.id, result: await pglite.exec(request.sql) };
    case 'dump': {
      const dump = await (await pglite.dumpDataDir('none')).arrayBuffer();
      return { id: request.id, result: dump };
    }
    case 'close':
      await pglite.close();
      return { id: request.id, result: null };
  }
}

/**
 * Runs requests one at a time, in arrival order, except that while a session has a transaction
 * open only that session's requests run: the others share the backend and would otherwise land
 * inside it. Returns what starts the queue once the database is open.
 *
 * The port listens before the database opens, which keeps this thread's event loop alive. A loop
 * with nothing left to wait for makes Node wait for every background task of V8 before it goes on
 * (`NodePlatform::DrainTasks`), and while PGlite opens, those include compiling its WebAssembly
 * to optimized code: the first request after `ready` waited about 250 ms for them.
 */
function serve(): (pglite: PGlite) => void {
  const queue: PgliteRequest[] = [];
  let pglite: PGlite | null = null;
  let statements: PgliteStatements | null = null;
  let owner: number | null = null;
  let running = false;
  const reply = (response: PgliteResponse) =>
    port.postMessage(response, response.result instanceof ArrayBuffer ? [response.result] : []);
  const next = () => {
    const at = owner === null ? 0 : queue.findIndex((r) => r.session === owner);
    return at < 0 ? undefined : queue.splice(at, 1)[0];
  };
  const drain = async (db: PGlite, statements: PgliteStatements) => {
    running = true;
    for (let request = next(); request; request = next()) {
      try {
        reply(await answer(db, statements, request));
      } catch (error) {
        // A result that cannot be posted (no structured clone of it) fails that request alone.
        reply({ id: request.id, error: describe(error) });
      }
      owner = !db.closed && db.isInTransaction() ? request.session : null;
    }
    running = false;
  };
  port.on('message', (request: PgliteRequest) => {
    queue.push(request);
    if (pglite && statements && !running) void drain(pglite, statements);
  });
  return (opened) => {
    pglite = opened;
    statements = pgliteStatements(opened);
    void drain(opened, statements);
  };
}

const begin = serve();
try {
  const pglite = await open();
  port.postMessage({ id: 0, result: 'ready' } satisfies PgliteResponse);
  begin(pglite);
} catch (error) {
  port.postMessage({ id: 0, error: describe(error) } satisfies PgliteResponse);
}
