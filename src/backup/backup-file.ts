import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { ValidationError } from '../errors.ts';
import type { SnapshotLine } from './snapshot.ts';

// A backup file: gzip'd JSON lines. The first line says what it is, which migrations its schema
// has, and carries the invitation link key sealed with a passphrase (scrypt, then AES-256-GCM),
// so that the file alone opens no invitation link; then the snapshot's lines, ending with the
// row count of every table (a truncated file is refused).

const FORMAT = 'provisiond-backup';
const VERSION = 1;
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export interface SealedKey {
  kdf: 'scrypt';
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

export interface BackupHead {
  format: typeof FORMAT;
  version: number;
  createdAt: string;
  database: string;
  migrations: string[];
  linkKey: SealedKey;
}

function derive(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase, salt, 32, SCRYPT);
}

export function sealKey(key: Buffer, passphrase: string): SealedKey {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(passphrase, salt), iv);
  const data = Buffer.concat([cipher.update(key), cipher.final()]);
  return {
    kdf: 'scrypt',
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

export function openKey(sealed: SealedKey, passphrase: string): Buffer {
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      derive(passphrase, Buffer.from(sealed.salt, 'base64')),
      Buffer.from(sealed.iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
  } catch {
    throw ValidationError.field(
      'passphrase',
      'does not open the invitation link key of this backup (a different passphrase was used)',
    );
  }
}

/** Writes the file next to its destination and renames it: a failed backup leaves no file. */
export async function writeBackup(
  file: string,
  head: Omit<BackupHead, 'format' | 'version' | 'createdAt'>,
  lines: AsyncIterable<SnapshotLine>,
): Promise<Record<string, number>> {
  let tables: Record<string, number> | null = null;
  async function* text() {
    const full: BackupHead = {
      format: FORMAT,
      version: VERSION,
      createdAt: new Date().toISOString(),
      ...head,
    };
    yield `${JSON.stringify(full)}\n`;
    for await (const line of lines) {
      if (line.kind === 'head') continue;
      if (line.kind === 'end') tables = line.tables;
      yield `${JSON.stringify(line)}\n`;
    }
  }
  const partial = `${file}.partial`;
  try {
    await pipeline(
      Readable.from(text()),
      createGzip(),
      createWriteStream(partial, { mode: 0o600 }),
    );
    if (!tables) throw new Error('the database copy ended early');
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return tables;
}

export interface OpenedBackup {
  head: BackupHead;
  lines: AsyncIterable<SnapshotLine>;
}

export async function readBackup(file: string): Promise<OpenedBackup> {
  const lines = createInterface({
    input: createReadStream(file).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  })[Symbol.asyncIterator]();
  const bad = (why: string) =>
    ValidationError.field('file', `${file} is not a provisiond backup: ${why}`);
  let first: IteratorResult<string>;
  try {
    first = await lines.next();
  } catch (error) {
    throw bad((error as Error).message);
  }
  let head: BackupHead;
  try {
    head = JSON.parse(first.done ? '' : first.value) as BackupHead;
  } catch {
    throw bad('its first line is not JSON');
  }
  if (head.format !== FORMAT || !Array.isArray(head.migrations) || !head.linkKey)
    throw bad('its first line does not describe one');
  if (head.version > VERSION)
    throw bad(`it has format version ${head.version}; this release reads up to ${VERSION}`);
  async function* rest(): AsyncGenerator<SnapshotLine> {
    for (;;) {
      const next = await lines.next();
      if (next.done) return;
      yield JSON.parse(next.value) as SnapshotLine;
    }
  }
  return { head, lines: rest() };
}

/** Reads the whole file once: refuses a truncated or damaged one before anything is restored. */
export async function verifyBackup(file: string): Promise<void> {
  const { lines } = await readBackup(file);
  const counts: Record<string, number> = {};
  let expected: Record<string, number> | null = null;
  try {
    for await (const line of lines) {
      if (line.kind === 'rows') counts[line.table] = (counts[line.table] ?? 0) + line.rows.length;
      else if (line.kind === 'end') expected = line.tables;
    }
  } catch (error) {
    throw ValidationError.field('file', `${file} is damaged: ${(error as Error).message}`);
  }
  if (!expected) throw ValidationError.field('file', `${file} is truncated (no last line)`);
  for (const [table, n] of Object.entries(expected))
    if ((counts[table] ?? 0) !== n)
      throw ValidationError.field(
        'file',
        `${file} is damaged: ${table} should have ${n} rows, it has ${counts[table] ?? 0}`,
      );
}
