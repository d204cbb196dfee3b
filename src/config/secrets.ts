import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors.ts';
import type { SecretRef } from './source-fields.ts';

// Secrets are given by reference in the configuration, read when a source first needs them, and
// never logged: errors name the reference, never the value.

export function resolveSecret(ref: SecretRef): string {
  if ('env' in ref) {
    const value = process.env[ref.env];
    if (value === undefined || value === '')
      throw ValidationError.field('secret', `the environment variable ${ref.env} is not set`);
    return value;
  }
  try {
    return readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw ValidationError.field(
      'secret',
      `cannot read the secret file ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}
