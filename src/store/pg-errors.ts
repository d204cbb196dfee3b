// PostgreSQL error codes that use cases turn into domain errors.

interface PgError {
  code?: string;
  constraint?: string;
  column?: string;
  message?: string;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as PgError;
  if (e?.code !== '23505') return false;
  // PGlite reports the constraint only in the message.
  return (
    constraint === undefined ||
    e.constraint === constraint ||
    (e.message ?? '').includes(constraint)
  );
}

export function isNotNullViolation(error: unknown, column: string): boolean {
  const e = error as PgError;
  if (e?.code !== '23502') return false;
  // PGlite reports the column only in the message.
  return e.column === column || (e.message ?? '').includes(`column "${column}"`);
}

/**
 * PostgreSQL refused a prepared statement's plan: what the statement returns changed since it was
 * prepared (a migration added a column to a table it reads with `*`).
 */
export function isPlanResultChanged(error: unknown): boolean {
  return (error as PgError)?.code === '0A000';
}
