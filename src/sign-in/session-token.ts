import { randomBytes } from 'node:crypto';
import { hashToken, tokenMatches } from '../keys/key-secret.ts';

// Session and flow tokens: 256 random bits; only their SHA-256 is stored (as for API keys), so a
// copy of the database lets no one sign in.

export function newToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export { hashToken, tokenMatches };
