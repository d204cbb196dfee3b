import { Command } from 'commander';
import { controlSocketPath } from '../../daemon/daemon.ts';
import { openDatabase } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrations.ts';
import { acquireDataDirLock, lockHolder } from '../../daemon/data-dir-lock.ts';
import { configOf, globals } from '../cli-context.ts';
import { printJson } from '../output.ts';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply database migrations (the daemon also applies them at start)')
    .action(async (_f, command: Command) => {
      const config = configOf(command);
      const json = globals(command).json ?? false;
      if (!config.database.url) {
        const holder = lockHolder(config.database.dataDir);
        if (holder !== null) {
          const message = `the daemon (process ${holder}) holds the embedded database and applied the migrations when it started; nothing to do (its socket: ${controlSocketPath(config.database.dataDir)})`;
          if (json) printJson({ applied: [], message });
          else process.stdout.write(`${message}\n`);
          return;
        }
      }
      const lock = config.database.url
        ? null
        : acquireDataDirLock(config.database.dataDir, 'migrate');
      try {
        const database = await openDatabase({
          url: config.database.url,
          dataDir: config.database.dataDir,
        });
        try {
          const applied = await migrateToLatest(database.knex);
          if (json) return printJson({ applied });
          process.stdout.write(
            applied.length === 0
              ? 'the database is up to date\n'
              : `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}\n`).join('')}`,
          );
        } finally {
          await database.close();
        }
      } finally {
        lock?.release();
      }
    });
}
