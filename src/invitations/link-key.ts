import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config-schema.ts';
import { resolveSecret } from '../config/secrets.ts';
import { ValidationError } from '../errors.ts';

// Where the key that seals invitation links comes from: `invitations.linkKey` (a secret reference
// holding 32 bytes as base64 or hex; every daemon sharing one PostgreSQL needs the same one),
// else a key file the first start writes into the data directory (mode 0600).

export const LINK_KEY_FILE = 'invitation-links.key';

function decodeKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const base64 = Buffer.from(value, 'base64');
  return base64.length === 32 && /^[A-Za-z0-9+/_-]{43}=?$/.test(value) ? base64 : null;
}

export function loadLinkKey(config: Config): Buffer {
  const configured = config.invitations.linkKey;
  if (configured) {
    const key = decodeKey(resolveSecret(configured));
    if (!key)
      throw ValidationError.field(
        'invitations.linkKey',
        'must hold 32 random bytes as 64 hex digits or base64 (e.g. the output of `openssl rand -base64 32`)',
      );
    return key;
  }
  const dataDir = config.database.dataDir;
  // An in-memory database keeps its invitations no longer than the process: so does its key.
  if (dataDir === 'memory://') return randomBytes(32);
  const file = path.join(dataDir, LINK_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = decodeKey(readFileSync(file, 'utf8'));
  if (!key)
    throw ValidationError.field(
      'invitations.linkKey',
      `the key file ${file} does not hold a 32-byte key; restore it from a backup, or delete it to make a new one (open invitations then lose their copyable link)`,
    );
  return key;
}
