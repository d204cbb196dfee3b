import { Command, Option } from 'commander';
import { configOf, globals } from '../cli-context.ts';

// The work is in backup-actions.ts, loaded when the command runs.

export interface PassphraseFlags {
  passphraseFile?: string;
  passphraseEnv?: string;
}

const passphraseOptions = (command: Command) =>
  command
    .addOption(
      new Option('--passphrase-file <file>', 'file holding the passphrase sealing the link key'),
    )
    .addOption(
      new Option(
        '--passphrase-env <variable>',
        'environment variable holding the passphrase',
      ).conflicts('passphraseFile'),
    );

export function backupCommand(): Command {
  return passphraseOptions(
    new Command('backup')
      .description('write a consistent copy of the database and the sealed link key to FILE')
      .argument('<file>', 'the backup file to write (gzip’d JSON lines)'),
  ).action(async (file: string, flags: PassphraseFlags, command: Command) => {
    const config = await configOf(command);
    const { backup } = await import('./backup-actions.ts');
    await backup(config, file, flags, globals(command).json ?? false);
  });
}

export function restoreCommand(): Command {
  return passphraseOptions(
    new Command('restore')
      .description('restore a backup into a fresh data directory or an empty PostgreSQL database')
      .argument('<file>', 'a file written by `provisiond backup`')
      .option('--link-key-out <file>', 'write the backup’s invitation link key to this file'),
  ).action(
    async (file: string, flags: PassphraseFlags & { linkKeyOut?: string }, command: Command) => {
      const config = await configOf(command);
      const { restore } = await import('./backup-actions.ts');
      await restore(config, file, flags, globals(command).json ?? false);
    },
  );
}
