import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Config, migrateMode } from '../config/config-schema.ts';
import { UnavailableError } from '../errors.ts';
import { type Database, openDatabase } from '../store/database.ts';
import { migrationSetKey } from '../store/migrations.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { databaseOpenError } from './startup-errors.ts';

// What a process opens first, before anything of the app: its modules are few, so that the daemon
// can start the embedded database's thread and load the rest of itself while the database opens.

/** Whether the embedded database in `dataDir` was ever created. */
export function embeddedDatabaseExists(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'));
}

/** The database, opened, and the embedded data directory's lock, held until `close`. */
export interface OpenStore {
  database: Database;
  /** Whether the daemon applies migrations as it opens (`database.migrate: auto`). */
  migrating: boolean;
  close(): Promise<void>;
}

/**
 * Locks PGlite's data directory, then opens the database. The CLI never creates an embedded
 * database: one missing where it looks is almost always the wrong folder.
 */
export async function openStore(config: Config, purpose: 'daemon' | 'cli'): Promise<OpenStore> {
  const embedded = !config.database.url;
  if (
    purpose === 'cli' &&
    embedded &&
    config.database.dataDir !== 'memory://' &&
    !embeddedDatabaseExists(config.database.dataDir)
  )
    throw new UnavailableError(
      `there is no database in ${config.database.dataDir} (database.dataDir, PROVISIOND_DATA_DIR): start the daemon once to create it (or run \`provisiond migrate\`), or point --config or PROVISIOND_DATA_DIR at the existing one`,
    );
  const lock =
    embedded && config.database.dataDir !== 'memory://'
      ? acquireDataDirLock(config.database.dataDir, purpose)
      : null;
  try {
    const migrating = purpose === 'daemon' && migrateMode(config) === 'auto';
    const database = await openDatabase({
      url: config.database.url,
      dataDir: config.database.dataDir,
      schema: migrating ? migrationSetKey() : undefined,
    }).catch((error: unknown) => {
      throw databaseOpenError(config, error);
    });
    return {
      database,
      migrating,
      async close() {
        try {
          await database.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
