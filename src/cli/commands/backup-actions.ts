import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  openKey,
  readBackup,
  sealKey,
  verifyBackup,
  writeBackup,
} from '../../backup/backup-file.ts';
import { restoreInto } from '../../backup/restore.ts';
import type { SnapshotLine } from '../../backup/snapshot.ts';
import { linkKeyId } from '../../cluster/instances.ts';
import type { Config } from '../../config/config-schema.ts';
import { resolveSecret } from '../../config/secrets.ts';
import { acquireDataDirLock } from '../../daemon/data-dir-lock.ts';
import { embeddedDatabaseExists } from '../../daemon/open-store.ts';
import { databaseLabel, databaseOpenError } from '../../daemon/startup-errors.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { LINK_KEY_FILE, loadLinkKey } from '../../invitations/link-key.ts';
import { openDatabase } from '../../store/database.ts';
import { connect } from '../api-client.ts';
import { printJson } from '../output.ts';
import type { PassphraseFlags } from './backup-command.ts';

// backup: a consistent copy while the daemon runs (on the embedded database through the daemon's
// socket, else read directly), with the invitation link key sealed by a passphrase given by
// reference. restore: into a fresh data directory or empty PostgreSQL database, refusing a copy
// from a newer schema; the link key goes back where this configuration reads it.

function passphrase(flags: PassphraseFlags): string {
  const ref = flags.passphraseFile
    ? { file: flags.passphraseFile }
    : flags.passphraseEnv
      ? { env: flags.passphraseEnv }
      : null;
  if (!ref)
    throw ValidationError.field(
      'passphrase',
      'give --passphrase-file FILE or --passphrase-env VARIABLE: the invitation link key is sealed with it',
    );
  const value = resolveSecret(ref);
  if (value.length < 12)
    throw ValidationError.field('passphrase', 'must be at least 12 characters long');
  return value;
}

async function* parseLines(stream: NodeJS.ReadableStream): AsyncGenerator<SnapshotLine> {
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }))
    if (line) yield JSON.parse(line) as SnapshotLine;
}

function writeKeyFile(file: string, key: Buffer): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Where the restored link key goes: the file asked for, else the data directory's key file when
 * no key is configured; a configured or existing key must be the same. Decided before anything
 * is restored, so that a refusal leaves nothing behind.
 */
function linkKeyPlan(
  config: Config,
  key: Buffer,
  out: string | undefined,
): { file: string | null; says: string } {
  if (out) {
    if (existsSync(out)) throw new ConflictError(`${out} exists: choose a new file for the key`);
    return { file: out, says: `written to ${out}; configure it as invitations.linkKey` };
  }
  const file = path.join(config.database.dataDir, LINK_KEY_FILE);
  if (config.invitations.linkKey || existsSync(file)) {
    if (linkKeyId(loadLinkKey(config)) !== linkKeyId(key))
      throw new ConflictError(
        `the backup's invitation link key differs from ${config.invitations.linkKey ? 'invitations.linkKey' : file}: pass --link-key-out FILE to save the backup's key and configure it, or open invitations lose their copyable link`,
      );
    return { file: null, says: 'the same as the configured one' };
  }
  return { file, says: `written to ${file}` };
}

export async function backup(
  config: Config,
  file: string,
  flags: PassphraseFlags,
  json: boolean,
): Promise<void> {
  const secret = passphrase(flags);
  if (existsSync(file)) throw new ConflictError(`${file} exists: choose a new file name`);
  const client = await connect(config, undefined);
  try {
    const sealed = sealKey(loadLinkKey(config), secret);
    const lines = parseLines(await client.stream('/api/v1/backup'));
    const first = await lines.next();
    if (first.done || first.value.kind !== 'head')
      throw new Error('the database copy did not start with its description');
    const tables = await writeBackup(
      file,
      { database: first.value.database, migrations: first.value.migrations, linkKey: sealed },
      lines,
    );
    const rows = Object.values(tables).reduce((a, b) => a + b, 0);
    if (json) return printJson({ file, via: client.via, tables });
    process.stdout.write(
      `wrote ${file}: ${rows} rows of ${Object.keys(tables).length} tables (${client.via === 'daemon' ? 'through the daemon' : 'read directly'})\n`,
    );
  } finally {
    await client.close();
  }
}

export async function restore(
  config: Config,
  file: string,
  flags: PassphraseFlags & { linkKeyOut?: string },
  json: boolean,
): Promise<void> {
  const secret = passphrase(flags);
  await verifyBackup(file);
  const backup = await readBackup(file);
  const key = openKey(backup.head.linkKey, secret);
  const embedded = !config.database.url;
  if (embedded && embeddedDatabaseExists(config.database.dataDir))
    throw new ConflictError(
      `${databaseLabel(config)} already exists: restore into a new data directory (PROVISIOND_DATA_DIR)`,
    );
  const plan = linkKeyPlan(config, key, flags.linkKeyOut);
  process.stderr.write(`provisiond: restoring into ${databaseLabel(config)}\n`);
  const lock = embedded ? acquireDataDirLock(config.database.dataDir, 'restore') : null;
  try {
    const database = await openDatabase({
      url: config.database.url,
      dataDir: config.database.dataDir,
    }).catch((error: unknown) => {
      throw databaseOpenError(config, error);
    });
    try {
      const tables = await restoreInto(database.knex, backup.head, backup.lines);
      if (plan.file) writeKeyFile(plan.file, key);
      const linkKey = plan.says;
      const rows = Object.values(tables).reduce((a, b) => a + b, 0);
      if (json) return printJson({ file, tables, migrations: backup.head.migrations, linkKey });
      process.stdout.write(
        `restored ${rows} rows of ${Object.keys(tables).length} tables from ${file} (made ${backup.head.createdAt}); the invitation link key was ${linkKey}\n`,
      );
    } finally {
      await database.close();
    }
  } finally {
    lock?.release();
  }
}
