import type { Config } from '../../config/config-schema.ts';
import { controlSocketPath } from '../../daemon/control-socket.ts';
import { acquireDataDirLock, lockHolder } from '../../daemon/data-dir-lock.ts';
import { embeddedDatabaseExists } from '../../daemon/open-store.ts';
import { databaseLabel, databaseOpenError } from '../../daemon/startup-errors.ts';
import { UnavailableError } from '../../errors.ts';
import { type Database, openDatabase } from '../../store/database.ts';
import {
  assertSchemaUsable,
  migrateToLatest,
  migrationStatus,
  pendingSql,
} from '../../store/migrations.ts';
import { printJson } from '../output.ts';

// The one CLI command that changes the schema. On the embedded database it needs the data
// directory to itself: a running daemon applied its migrations when it started.

async function withDatabase<T>(
  config: Config,
  options: { create: boolean },
  work: (database: Database) => Promise<T>,
): Promise<T> {
  if (!config.database.url) {
    const holder = lockHolder(config.database.dataDir);
    if (holder !== null)
      throw new UnavailableError(
        `the daemon (process ${holder}) holds ${databaseLabel(config)} (its socket: ${controlSocketPath(config.database)}); stop it first: with database.migrate: auto it applies the migrations when it starts`,
      );
    if (!options.create && !embeddedDatabaseExists(config.database.dataDir))
      throw new UnavailableError(
        `there is no database in ${config.database.dataDir} (database.dataDir, PROVISIOND_DATA_DIR)`,
      );
  }
  const lock = config.database.url ? null : acquireDataDirLock(config.database.dataDir, 'migrate');
  try {
    const database = await openDatabase({
      url: config.database.url,
      dataDir: config.database.dataDir,
    }).catch((error: unknown) => {
      throw databaseOpenError(config, error);
    });
    try {
      return await work(database).catch((error: unknown) => {
        throw databaseOpenError(config, error);
      });
    } finally {
      await database.close();
    }
  } finally {
    lock?.release();
  }
}

export async function migrate(config: Config, dryRun: boolean, json: boolean): Promise<void> {
  process.stderr.write(`provisiond: ${databaseLabel(config)}\n`);
  if (dryRun) {
    const plan = await withDatabase(config, { create: false }, (db) => pendingSql(db.knex));
    if (json) return printJson({ pending: plan });
    if (plan.length === 0) process.stdout.write('-- the database is up to date\n');
    for (const m of plan)
      process.stdout.write(`-- ${m.name}\n${m.sql.map((q) => `${q};\n`).join('')}\n`);
    return;
  }
  const applied = await withDatabase(config, { create: true }, (db) => migrateToLatest(db.knex));
  if (json) return printJson({ applied });
  process.stdout.write(
    applied.length === 0
      ? 'the database is up to date\n'
      : `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}\n`).join('')}`,
  );
}

export async function showMigrationStatus(config: Config, json: boolean): Promise<void> {
  const status = await withDatabase(config, { create: false }, (db) => migrationStatus(db.knex));
  let usable = true;
  let problem: string | null = null;
  try {
    assertSchemaUsable(status, 'run `provisiond migrate`');
  } catch (error) {
    usable = false;
    problem = (error as Error).message;
  }
  if (json) return printJson({ database: databaseLabel(config), ...status, usable, problem });
  const lines = [
    `database: ${databaseLabel(config)}`,
    `applied: ${status.applied.length}`,
    ...status.pending.map((m) => `pending: ${m}`),
    ...status.newer.map((m) => `newer (applied by a later release): ${m}`),
    problem ?? 'this release can use the schema as it is',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
