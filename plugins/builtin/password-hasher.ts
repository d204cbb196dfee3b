import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../../src/plugin-api.ts';

// Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): memory-hard, and fast
// enough (~30 ms here) that a bulk import of built-in accounts is not held up by hashing.
const OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const argon2Hasher: PasswordHasher = {
  hash: (password) => hash(password, OPTIONS),
  async verify(encoded, password) {
    try {
      return await verify(encoded, password);
    } catch {
      return false;
    }
  },
};
