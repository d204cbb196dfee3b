import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { UnavailableError } from '../errors.ts';
import { rawRows } from './raw-rows.ts';
import { counted } from '../counted.ts';

// Migrations are TypeScript modules in migrations/; compiled to dist/migrations/*.js for the
// installed daemon and imported as .ts under tsx in tests. Both list the same names.
//
// Upgrades expand, then contract one release later: a migration only adds (tables, nullable or
// defaulted columns, indexes) so that the previous release keeps working on the new schema; what
// the new release no longer uses is dropped by a later migration whose name holds `_contract_`.
// A daemon meeting a schema with migrations it does not know works on it, unless one of them
// is a contraction: then it is too old for the schema and says so.
// Compiled (dist/src/store) and bundled (dist/bundle/provisiond) alike, two folders under dist.
const directory = fileURLToPath(new URL('../../migrations/', import.meta.url));

const TABLE = 'knex_migrations';

/** knex's record of the migrations applied, one row per migration. */
interface MigrationRecordRow {
  id: number;
  name: string;
  batch: number;
  migration_time: Date;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    knex_migrations: MigrationRecordRow;
  }
}

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

function migrationFiles(): string[] {
  return readdirSync(directory)
    .filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts'))
    .sort();
}

const nameOf = (file: string) => file.replace(/\.(ts|js)$/, '');

async function load(file: string): Promise<MigrationModule> {
  return (await import(new URL(file, `file://${directory}`).href)) as MigrationModule;
}

class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return migrationFiles();
  }
  getMigrationName(file: string): string {
    return nameOf(file);
  }
  getMigration(file: string): Promise<MigrationModule> {
    return load(file);
  }
}

const config: Knex.MigratorConfig = {
  migrationSource: new DirectoryMigrationSource(),
  tableName: TABLE,
  // A database migrated by a newer release lists migrations this one does not have; that is
  // expected during a rolling upgrade (see above), not a corrupt directory.
  disableMigrationsListValidation: true,
};

export interface MigrationStatus {
  /** Applied, in order. */
  applied: string[];
  /** Known to this release and not applied yet. */
  pending: string[];
  /** Applied by a newer release: this one does not know them. */
  newer: string[];
}

/**
 * Whether knex's record of migrations exists, looked up in the catalog: knex's `hasTable` reads
 * information_schema, whose first read on a freshly opened embedded database took 76–97 ms
 * against 2–11 ms, and every start and CLI command asks.
 */
async function recordExists(knex: Knex): Promise<boolean> {
  const [row] = await rawRows<{ present: boolean }>(
    knex,
    'select to_regclass(?) is not null as present',
    [TABLE],
  );
  return row?.present === true;
}

export async function migrationStatus(knex: Knex): Promise<MigrationStatus> {
  const known = migrationFiles().map(nameOf);
  const applied = (await recordExists(knex))
    ? (await knex(TABLE).orderBy('id').pluck('name')).map(nameOf)
    : [];
  const done = new Set(applied);
  const ours = new Set(known);
  return {
    applied,
    pending: known.filter((m) => !done.has(m)),
    newer: applied.filter((m) => !ours.has(m)),
  };
}

/** Refuses a schema this release cannot work on: behind it, or contracted by a newer release. */
export function assertSchemaUsable(status: MigrationStatus, how: string): void {
  const contracted = status.newer.filter((m) => m.includes('_contract_'));
  if (contracted.length > 0)
    throw new UnavailableError(
      `the database was migrated by a newer release that removed what this one needs (${contracted.join(', ')}); run the newer release`,
    );
  if (status.pending.length > 0)
    throw new UnavailableError(
      `the database schema is behind this release by ${counted(status.pending.length, 'migration')} (${status.pending.join(', ')}): ${how}`,
    );
}

/** Names the migrations of this release by their names and contents (see DatabaseOptions.schema). */
export function migrationSetKey(): string {
  const hash = createHash('sha256');
  for (const file of migrationFiles())
    hash.update(file).update(readFileSync(`${directory}${file}`));
  return hash.digest('hex').slice(0, 16);
}

export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const status = await migrationStatus(knex);
  assertSchemaUsable({ ...status, pending: [] }, '');
  if (status.pending.length === 0) return [];
  const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
  return applied.map(nameOf);
}

/** Applies migrations in order until exactly `names` are applied (a restore's schema). */
export async function migrateTo(knex: Knex, names: string[]): Promise<void> {
  for (;;) {
    const { applied } = await migrationStatus(knex);
    if (applied.length >= names.length) break;
    await knex.migrate.up(config);
  }
  const { applied } = await migrationStatus(knex);
  if (applied.join() !== names.join())
    throw new UnavailableError(
      `could not bring the schema to the backup's: it has ${names.join(', ')}; this release applied ${applied.join(', ')}`,
    );
}

export async function pendingMigrations(knex: Knex): Promise<string[]> {
  return (await migrationStatus(knex)).pending;
}

/**
 * The SQL the pending migrations would run, each run inside a transaction that is rolled back:
 * PostgreSQL's DDL is transactional, so this is exactly what `migrate` would send, and nothing
 * stays.
 */
export async function pendingSql(knex: Knex): Promise<Array<{ name: string; sql: string[] }>> {
  const { pending } = await migrationStatus(knex);
  const files = new Map(migrationFiles().map((f) => [nameOf(f), f]));
  const out: Array<{ name: string; sql: string[] }> = [];
  const rollback = new Error('dry run');
  let current: string[] = [];
  const capture = (query: { sql: string }) => current.push(query.sql);
  // All of them in one transaction, in order, since a migration may use what the one before made.
  await knex
    .transaction(async (trx) => {
      knex.on('query', capture);
      try {
        for (const name of pending) {
          current = [];
          await (await load(files.get(name)!)).up(trx);
          out.push({ name, sql: current });
        }
      } finally {
        knex.off('query', capture);
      }
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  return out;
}
