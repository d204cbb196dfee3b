import { invalidFilter } from './scim-error.ts';

// How filter values are read, shared by the SQL compiler and the in-memory matcher so that both
// accept and refuse the same values.

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * An xsd:dateTime (RFC 7643 §2.3.5) as an ISO instant. Calendar dates that do not exist
 * (2020-02-30), bare numbers and years past 9999 are refused: the database would reject them.
 * A date without a time is midnight; a time without an offset is UTC.
 */
export function dateTimeValue(path: string, value: string): string {
  const m = DATE_TIME.exec(value);
  const refuse = () =>
    invalidFilter(
      `${path}: ${JSON.stringify(value)} is not a date-time (expected e.g. "2026-01-31T12:00:00Z")`,
    );
  if (!m) throw refuse();
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) throw refuse();
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw refuse();
  if (zone.length > 1 && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(4)) > 59))
    throw refuse();
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction.slice(0, 4)}${zone.toUpperCase()}`;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) throw refuse();
  return new Date(time).toISOString();
}

/** `true`, `false`, or Entra's "True"/"False". */
export function booleanValue(path: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  throw invalidFilter(`${path} is a boolean; compare it with true or false`);
}

/** A string to compare with; text cannot hold NUL characters. */
export function stringValue(path: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidFilter(`${path} must be compared with a "string"`);
  if (value.includes('\u0000')) throw invalidFilter(`${path}: the value contains a NUL character`);
  return value;
}

/** Orders strings by code point, as the SQL compiler's COLLATE "C" does. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
