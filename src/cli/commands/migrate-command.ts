import { Command } from 'commander';
import { configOf, globals } from '../cli-context.ts';

// The work is in migrate-actions.ts, loaded when the command runs: it opens the database.

export function migrateCommand(): Command {
  const migrate = new Command('migrate')
    .description(
      'apply pending database migrations (the only command that changes the schema; see also `migrate status`)',
    )
    .option('--dry-run', 'print the SQL the pending migrations would run, and change nothing')
    .action(async (flags: { dryRun?: boolean }, command: Command) => {
      const config = await configOf(command);
      const { migrate } = await import('./migrate-actions.ts');
      await migrate(config, flags.dryRun ?? false, globals(command).json ?? false);
    });
  migrate
    .command('status')
    .description('list applied and pending migrations, and any applied by a newer release')
    .action(async (_f, command: Command) => {
      const config = await configOf(command);
      const { showMigrationStatus } = await import('./migrate-actions.ts');
      await showMigrationStatus(config, globals(command).json ?? false);
    });
  return migrate;
}
