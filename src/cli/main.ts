import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.ts';
import { DomainError } from '../errors.ts';
import { ApiError } from './api-client.ts';
import { limitHeapGrowth } from '../daemon/heap-growth.ts';
import { scimCommand } from './commands/scim-command.ts';
import { adminCommand } from './commands/admin-command.ts';
import { auditCommand } from './commands/audit-command.ts';
import { backupCommand, restoreCommand } from './commands/backup-command.ts';
import { codesCommand } from './commands/codes-command.ts';
import { invitationsCommand } from './commands/invitations-command.ts';
import { rolesCommand } from './commands/catalog-command.ts';
import { groupsCommand } from './commands/groups-command.ts';
import { ImportFailed, importCommand } from './commands/import-command.ts';
import { keysCommand } from './commands/keys-command.ts';
import { licensesCommand } from './commands/licenses-command.ts';
import { membersCommand } from './commands/members-command.ts';
import { migrateCommand } from './commands/migrate-command.ts';
import { orgsCommand } from './commands/orgs-command.ts';
import { startCommand } from './commands/start-command.ts';
import { ldapCommand } from './commands/ldap-command.ts';
import { runsCommand } from './commands/runs-command.ts';
import { sourcesCommand } from './commands/sources-command.ts';
import { syncCommand } from './commands/sync-command.ts';

limitHeapGrowth();

// Exit codes: 0 done, 1 the operation failed, 2 the command line itself is wrong.

const program = new Command('provisiond')
  .description('identity provisioning daemon: members, groups, roles, API keys')
  .option('-c, --config <file>', 'configuration file (YAML); also PROVISIOND_CONFIG')
  .option('--org <organization>', 'organization id or slug (default: the first organization)')
  .option('--json', 'print JSON instead of tables')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .hook('preAction', (_program, action) => {
    // A reader that stops early (`provisiond members list | head`) closes the pipe: the rest of
    // the output is not wanted, so the command ends there. Not the daemon, which must not end
    // with exit code 0 because something stopped reading what it prints.
    if (action.name() === 'start') return;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
  });

for (const command of [
  startCommand(),
  migrateCommand(),
  adminCommand(),
  backupCommand(),
  restoreCommand(),
  orgsCommand(),
  membersCommand(),
  groupsCommand(),
  keysCommand(),
  rolesCommand(),
  licensesCommand(),
  auditCommand(),
  scimCommand(),
  syncCommand(),
  runsCommand(),
  sourcesCommand(),
  ldapCommand(),
  importCommand(),
  codesCommand(),
  invitationsCommand(),
]) {
  program.addCommand(command);
}
// Sub-commands inherit exit handling so that a usage error anywhere exits with 2.
const exitOverride = (command: Command) => {
  command.exitOverride();
  command.commands.forEach(exitOverride);
};
exitOverride(program);

function fail(message: string, code: number): never {
  process.stderr.write(`provisiond: ${message}\n`);
  process.exit(code);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      process.exit(0);
    process.exit(2);
  }
  if (error instanceof ApiError) {
    const issues = (error.problem.issues ?? []).map((i) => `\n  ${i.field}: ${i.message}`).join('');
    fail(`${error.message}${issues}`, 1);
  }
  if (error instanceof ConfigError || error instanceof DomainError || error instanceof ImportFailed)
    fail(error.message, 1);
  fail((error as Error).stack ?? String(error), 1);
}
