import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// An API key's secret is `pvd_<key id without dashes>_<43 characters of randomness>`. The id lets
// the daemon find the key with one indexed read; only a SHA-256 of the whole token is stored
// (the token carries 256 random bits, so a slow hash would add nothing but latency).

const FORMAT = /^pvd_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export function newKeySecret(keyId: string): { token: string; hash: Buffer } {
  const token = `pvd_${keyId.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The key id a token claims to be, or null when the token is not shaped like one of ours. */
export function keyIdOf(token: string): string | null {
  const match = FORMAT.exec(token);
  if (!match) return null;
  const hex = match[1]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function tokenMatches(token: string, storedHash: Uint8Array): boolean {
  const candidate = hashToken(token);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}
