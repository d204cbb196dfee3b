import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { discardTemplate, saveTemplate, templatePath } from './pglite-template.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseOptions {
  /** A PostgreSQL connection URL; when absent the embedded PGlite database is used. */
  url?: string | undefined;
  /** PGlite's data directory; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /**
   * The migration set the caller applies right after opening (migrationSetKey): a new embedded
   * database then starts from a cached copy with that schema when there is one.
   */
  schema?: string | undefined;
}

export interface Database {
  knex: Knex;
  kind: DatabaseKind;
  /**
   * How many transactions may usefully write at once: PostgreSQL runs each on a backend (a core)
   * of its own; the embedded database has one connection, on which a second would only wait.
   */
  writers: number;
  /** A new embedded database that started from the cached copy of `schema`: already migrated. */
  fromSchemaCopy?: boolean;
  /** Once migrated to `schema` (and nothing else written), leaves a copy for the next new database. */
  keepSchemaCopy?(): Promise<void>;
  close(): Promise<void>;
}

// PostgreSQL's default of 128 MB of shared buffers lives, touched, in PGlite's WebAssembly memory
// for as long as the daemon runs (WebAssembly memory never shrinks); an idle daemon held about
// 370 MB. With 32 MB it holds about 250 MB, and what does not fit is read back through the
// operating system's file cache, not from disk.
const SHARED_BUFFERS = '32MB';

// PostgreSQL fills each new 16-MB WAL file with zeros before it writes into it. Through PGlite's
// file system, that took 50–90 ms inside whichever statement needed the file, while every other
// request waited behind the one connection. Without the zeros, the file gets its size from a
// write of its last byte, as PostgreSQL does on copy-on-write file systems: the records it later
// holds carry their own checks, so what was in the file before them is never read as WAL.
// @see https://www.postgresql.org/docs/current/runtime-config-wal.html#GUC-WAL-INIT-ZERO
const START_PARAMS = ['-c', `shared_buffers=${SHARED_BUFFERS}`, '-c', 'wal_init_zero=off'];

// knex, pg and PGlite's client are imported when a database opens, not with this module: the
// daemon starts PGlite's thread first and loads them (about 0.3 s) while the database opens.

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const [{ default: knexFactory }, { default: pg }] = await Promise.all([
      import('knex'),
      import('pg'),
    ]);
    // PostgreSQL returns bigint (count(*)) and numeric as strings; counts here always fit a JS number.
    pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));
    const knex = knexFactory({
      client: 'pg',
      // No JIT: every query here is short, and past jit_above_cost PostgreSQL spent 1.5 s
      // compiling a members count that runs in a tenth of that.
      connection: { connectionString: options.url, options: '-c jit=off' },
      pool: { min: 0, max: 10 },
    });
    return { knex, kind: 'postgres', writers: 2, close: () => knex.destroy() };
  }
  const inMemory = options.dataDir === 'memory://';
  if (!inMemory) mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  // Loaded only for the embedded database: PGlite's code alone is ~40 MB of a PostgreSQL daemon's memory.
  const { PgliteThread } = await import('./pglite-thread.ts');
  const dataDir = inMemory ? undefined : path.join(options.dataDir, 'pgdata');
  const isNew = dataDir === undefined || !existsSync(path.join(dataDir, 'PG_VERSION'));
  const template = isNew ? templatePath() : null;
  const schemaTemplate = isNew && options.schema ? templatePath(`schema-${options.schema}`) : null;
  const copy =
    schemaTemplate && existsSync(schemaTemplate)
      ? { file: schemaTemplate, migrated: true }
      : template && existsSync(template)
        ? { file: template, migrated: false }
        : null;
  const open = async (copy: string | null) => {
    const instance = new PgliteThread({
      dataDir,
      copy,
      startParams: START_PARAMS,
    });
    try {
      await instance.waitReady;
    } catch (error) {
      await instance.close();
      throw error;
    }
    return instance;
  };
  // knex and PGlite's client load while the thread opens the database.
  const [opened, loaded] = await Promise.allSettled([
    open(copy?.file ?? null),
    Promise.all([import('knex'), import('./pglite-client.ts')]),
  ]);
  if (loaded.status === 'rejected') {
    if (opened.status === 'fulfilled') await opened.value.close();
    throw loaded.reason;
  }
  const [{ default: knexFactory }, { PgliteClient }] = loaded.value;
  let pglite: Awaited<ReturnType<typeof open>>;
  let fromCopy = copy !== null;
  if (opened.status === 'fulfilled') pglite = opened.value;
  else {
    if (!copy) throw opened.reason;
    discardTemplate(copy.file);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    pglite = await open(null);
    fromCopy = false;
  }
  const dump = async () => {
    await pglite.exec('checkpoint');
    return pglite.dumpDataDir();
  };
  if (template && !fromCopy) await saveTemplate(template, dump);
  const fromSchemaCopy = fromCopy && copy?.migrated === true;
  const knex = knexFactory({
    client: PgliteClient,
    dialect: 'postgres',
    connection: () => ({ pglite }) as unknown as Knex.StaticConnectionConfig,
  });
  return {
    knex,
    kind: 'pglite',
    writers: 1,
    fromSchemaCopy,
    async keepSchemaCopy() {
      if (schemaTemplate && !fromSchemaCopy) await saveTemplate(schemaTemplate, dump);
    },
    async close() {
      await knex.destroy();
      await pglite.close();
    },
  };
}
