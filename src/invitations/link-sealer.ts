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
  open(sealed: Buffer): string | null;
}

export function linkSealer(key: Buffer): LinkSealer {
  if (key.length !== 32)
    throw new Error(`the invitation link key must be 32 bytes (got ${key.length})`);
  return {
    seal(token) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      if (sealed.length <= IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
        decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([
          decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
