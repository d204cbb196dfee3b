import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// The invitations table shows each open invitation's copyable link, while the
// link's token is a secret (it lets anyone join as the invitee). The token is kept twice: its
// SHA-256, by which an acceptance finds the invitation, and sealed with AES-256-GCM under a key
// that is not in the database (the data directory's key file, or `invitations.linkKey`), so
// that an administrator can copy the link again and a copy of the database alone cannot.

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface LinkSealer {
  seal(token: string): Buffer;
  /** The token, or null when it was sealed under another key (or the bytes were altered). */
  open(sealed: Uint8Array): string | null;
  /** The same sealing for bytes: import files, whose password column must not be readable at rest. */
  sealBytes(data: Uint8Array): Buffer;
  openBytes(sealed: Uint8Array): Buffer | null;
}

export function linkSealer(key: Buffer): LinkSealer {
  if (key.length !== 32)
    throw new Error(`the invitation link key must be 32 bytes (got ${key.length})`);
  const sealBytes = (data: Uint8Array) => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(data), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  };
  const openBytes = (sealed: Uint8Array) => {
    if (sealed.length <= IV_BYTES + TAG_BYTES) return null;
    const bytes = Buffer.from(sealed);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      return null;
    }
  };
  return {
    seal: (token) => sealBytes(Buffer.from(token, 'utf8')),
    open: (sealed) => openBytes(sealed)?.toString('utf8') ?? null,
    sealBytes,
    openBytes,
  };
}
