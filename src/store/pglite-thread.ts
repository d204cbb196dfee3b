import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

// PGlite runs PostgreSQL as WebAssembly, synchronously: in the daemon's own thread, every query
// held the event loop for as long as it ran, and a statement's promise resolved in a microtask,
// so a burst of requests ran back to back without a turn of the loop. Under SCIM load an
// iteration of the loop took about 250 ms, and since Node accepts one new connection per
// iteration, the last of fifty new clients got its first answer seconds late. In a worker thread of
// its own the database runs beside the daemon's JavaScript (on a second core when there is one),
// and the daemon's loop stays free for new connections, timers and health checks.

/** What the worker starts from (its `workerData`). */
export interface PgliteStart {
  /** On-disk data directory; undefined keeps the database in memory. */
  dataDir: string | undefined;
  /**
   * A cached copy of a data directory (a tar) to start a new database from: unpacked into
   * `dataDir`, or loaded into memory. The worker does it, so that the unpacking's buffers are
   * its garbage, collected as it opens the database, not the idle daemon's.
   */
  copy: string | null;
  /** PostgreSQL settings, as `-c name=value` pairs after PGlite's own. */
  startParams: string[];
}

/**
 * `session`: which of the knex pool's connections asks (0: the database as a whole). They all
 * share PGlite's one backend; the worker runs a session's requests alone while it has a
 * transaction open.
 */
export type PgliteRequest = { id: number; session: number } & (
  | { op: 'query'; sql: string; params: unknown[] | undefined }
  | { op: 'exec'; sql: string }
  | { op: 'dump' }
  | { op: 'close' }
);

/** One connection of the knex pool: all knex-pglite asks of a connection. */
export interface PgliteSession {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface PgliteResponse {
  id: number;
  result?: unknown;
  error?: { name: string; message: string; fields: Record<string, unknown> };
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The young generation of the database thread's heap, where its short-lived objects live: each
 * statement's parameters and rows as they pass between PGlite and the daemon's thread. V8 lets it
 * grow to 48 MB, and during a first sync of 100,000 users the thread's heap held 48–65 MB while
 * 16–42 MB of it was in use. With 8 MB, that sync's peak RSS was 15–40 MB lower and it took as
 * long, and SCIM requests on the embedded database cost as much CPU as before.
 */
const YOUNG_MB = 8;

/**
 * Built, the worker is the `.js` file beside this one. Run from the sources under tsx (tests,
 * benches), a worker thread does not inherit tsx's loader on Node 20, so it registers it first.
 */
function startWorker(start: PgliteStart): Worker {
  const options = { workerData: start, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } };
  const own = fileURLToPath(import.meta.url);
  if (path.extname(own) === '.js')
    return new Worker(new URL('./pglite-worker.js', import.meta.url), options);
  const entry = JSON.stringify(new URL('./pglite-worker.ts', import.meta.url).href);
  const load = `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); })`;
  return new Worker(load, { ...options, eval: true });
}

function asError(error: NonNullable<PgliteResponse['error']>): Error {
  // The fields callers test (code, constraint…) where pg and PGlite put them: on the error.
  return Object.assign(new Error(error.message), { name: error.name }, error.fields);
}

/**
 * The embedded database in its worker thread, with the part of PGlite's interface that the store
 * uses; knex's connections are its sessions. The worker keeps the process alive only while a
 * request is outstanding, as PGlite in the same thread did.
 */
export class PgliteThread {
  readonly waitReady: Promise<void>;
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #nextSession = 1;
  #closed = false;
  #ready = false;
  #stopped: Error | null = null;

  constructor(start: PgliteStart) {
    this.#worker = startWorker(start);
    this.#worker.unref();
    this.waitReady = new Promise<void>((resolve, reject) => {
      const ready = () => {
        this.#ready = true;
        resolve();
      };
      this.#pending.set(0, { resolve: ready, reject });
      this.#worker.ref();
    });
    this.#worker.on('message', (response: PgliteResponse) => this.#settle(response));
    this.#worker.on('error', (error) => this.#stop(error));
    this.#worker.on('exit', (code) =>
      this.#stop(new Error(`the embedded database's thread stopped (exit code ${code})`)),
    );
  }

  exec(sql: string): Promise<unknown> {
    return this.#ask({ op: 'exec', session: 0, sql });
  }

  async dumpDataDir(): Promise<Blob> {
    return new Blob([(await this.#ask({ op: 'dump', session: 0 })) as ArrayBuffer]);
  }

  /**
   * A connection for the knex pool. Several let the worker take the next statement as soon as one
   * ends, instead of waiting for this thread to release the connection and send it.
   */
  session(): PgliteSession {
    const session = this.#nextSession++;
    return { query: (sql, params) => this.#ask({ op: 'query', session, sql, params }) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      // A worker that never opened the database has nothing to close.
      if (this.#ready && !this.#stopped) await this.#ask({ op: 'close', session: 0 }, true);
    } finally {
      await this.#worker.terminate();
    }
  }

  #ask(request: DistributiveOmit<PgliteRequest, 'id'>, closing = false): Promise<unknown> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    if (this.#closed && !closing) return Promise.reject(new Error('the database is closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #settle(response: PgliteResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    this.#pending.delete(response.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (response.error) pending.reject(asError(response.error));
    else pending.resolve(response.result);
  }

  #stop(error: Error): void {
    this.#stopped ??= error;
    for (const { reject } of this.#pending.values()) reject(this.#stopped);
    this.#pending.clear();
  }
}
