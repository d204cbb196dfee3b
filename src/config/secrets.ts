import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors.ts';
import type { SecretRef } from '../plugin-api.ts';

// Secrets are read when needed, from where the configuration points, and never logged.

export function resolveSecret(ref: SecretRef): string {
  if ('env' in ref) {
    const value = process.env[ref.env];
    if (value === undefined) throw ValidationError.field('bindCredentials', `the environment variable ${ref.env} is not set`);
    return value;
  }
  try {
    return readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw ValidationError.field('bindCredentials', `cannot read the secret file ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
