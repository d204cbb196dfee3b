import { readFileSync } from 'node:fs';
import type { SecretRef } from '../config/source-schemas.ts';
import { ValidationError } from '../errors.ts';

// Secrets are given by reference in the configuration and read when a source first needs them.
// Errors name the reference, never the value.

export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value === '') throw ValidationError.field('secret', `the environment variable ${ref.env} is not set`);
    return value;
  }
  try {
    return readFileSync(ref.file, 'utf8').trim();
  } catch (error) {
    throw ValidationError.field('secret', `cannot read the secret file ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
