/**
 * Whether a reference is a row id (a UUID) rather than a name. Lookups that accept either use it to
 * pick the column, and id columns must not be compared with anything else: PostgreSQL refuses a
 * malformed uuid with an error instead of finding nothing.
 */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
