import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';

// Migrations are TypeScript modules in migrations/; compiled to dist/migrations/*.js for the
// installed daemon and imported as .ts under tsx in tests. Both list the same names.
const directory = fileURLToPath(new URL('../../migrations/', import.meta.url));

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return readdirSync(directory)
      .filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts'))
      .sort();
  }
  getMigrationName(file: string): string {
    return file.replace(/\.(ts|js)$/, '');
  }
  async getMigration(file: string): Promise<MigrationModule> {
    return (await import(new URL(file, `file://${directory}`).href)) as MigrationModule;
  }
}

const config: Knex.MigratorConfig = {
  migrationSource: new DirectoryMigrationSource(),
  tableName: 'knex_migrations',
};

export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
  return applied;
}

export async function pendingMigrations(knex: Knex): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(config)) as [unknown, Array<{ file: string }>];
  return pending.map((m) => m.file);
}
