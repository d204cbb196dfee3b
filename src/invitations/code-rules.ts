import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type CatalogRole, exclusionIssues, parameterRequired } from '../catalog/compatibility.ts';
import { type FieldIssue, ValidationError } from '../errors.ts';

// Pure rules of invitation codes: how many, how long, what they look like,
// their status, and the text "copy" gives.

const MAX_CODES = 10;
const MIN_VALIDITY_DAYS = 1;
const MAX_VALIDITY_DAYS = 90;
export const DEFAULT_VALIDITY_DAYS = 10;
const CODE_FORMAT = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';

const CODE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A code's id: a version-4 UUID (randomUUID, gen_random_uuid). */
const CODE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DAY_MS = 86_400_000;

export type CodeStatus = 'valid' | 'used' | 'disabled' | 'expired';

/**
 * A new code: 16 random bytes in the shape of a UUID, lowercase (like the seed's codes). The one
 * draw in 64 that reads as a version-4 UUID is drawn again, so that a code is never taken for a
 * code's id (isCodeNotId).
 */
export function newCode(): string {
  for (;;) {
    const hex = randomBytes(16).toString('hex');
    const code = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    if (!CODE_ID.test(code)) return code;
  }
}

/** A code given where a code's id is expected: in the shape of codes, but not a version-4 UUID as ids are. */
export function isCodeNotId(ref: string): boolean {
  return CODE.test(ref) && !CODE_ID.test(ref);
}

/** The code a member typed, or a refusal that shows the expected format. Surrounding blanks are forgiven. */
export function parseCode(input: unknown): string {
  const code = typeof input === 'string' ? input.trim() : '';
  if (!CODE.test(code)) {
    throw ValidationError.field(
      'code',
      `an invitation code has the format ${CODE_FORMAT} (lowercase hexadecimal digits 0-9 and a-f), for example 0601152c-6aa0-4f6d-5e85-464249405207`,
    );
  }
  return code;
}

export function hashCode(code: string): Buffer {
  return createHash('sha256').update(code).digest();
}

/** Constant-time comparison of a code with a stored hash. */
export function codeMatches(code: string, storedHash: Uint8Array): boolean {
  const candidate = hashCode(code);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}

/** The first characters of a code, enough to tell codes apart in a list, not to use one. */
export function codeHint(code: string): string {
  return `${code.slice(0, 4)}…`;
}

export function countIssues(count: number): string | null {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CODES)
    return `must be a whole number from 1 to ${MAX_CODES} (at most ${MAX_CODES} codes at once)`;
  return null;
}

export function validityIssues(days: number): string | null {
  if (!Number.isInteger(days) || days < MIN_VALIDITY_DAYS || days > MAX_VALIDITY_DAYS) {
    return `must be a whole number of days from ${MIN_VALIDITY_DAYS} to ${MAX_VALIDITY_DAYS} (default ${DEFAULT_VALIDITY_DAYS})`;
  }
  return null;
}

export function validUntil(createdAt: Date, days: number): Date {
  return new Date(createdAt.getTime() + days * DAY_MS);
}

/** Disabled wins over used (an administrator's decision), used over expired (what happened first). */
export function codeStatus(
  code: { disabledAt: Date | null; usedAt: Date | null; validUntil: Date },
  now: Date,
): CodeStatus {
  if (code.disabledAt) return 'disabled';
  if (code.usedAt) return 'used';
  if (code.validUntil.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}

/** The copied text carries the scope's name and the validity date with the code(s). */
export function copyText(codes: string[], scopeName: string, validUntilDate: Date): string {
  const date = validUntilDate.toISOString().slice(0, 10);
  const lines = [
    `Invitation code${codes.length > 1 ? 's' : ''} for ${scopeName}, valid until ${date}:`,
    ...codes,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * What makes a code's roles unusable whoever redeems it, checked when the codes are created rather
 * than at every redemption: roles that exclude each other, and the one role parameter a code can
 * carry missing, or given to roles that take none. Whether the roles suit the redeemer's user type
 * can only be known at redemption.
 */
export function codeRoleIssues(roles: CatalogRole[], parameter: string | null): FieldIssue[] {
  const issues = exclusionIssues(roles);
  const taking = roles.filter((r) => r.parameterName);
  if (taking.length > 1)
    issues.push({
      field: 'roles',
      message: `a code carries one role parameter, and roles ${taking.map((r) => r.name).join(' and ')} each take one; create separate codes`,
    });
  else if (taking.length === 0 && parameter !== null)
    issues.push({
      field: 'roleParameter',
      message: `none of the roles ${roles.map((r) => r.name).join(', ')} takes a parameter; leave it out`,
    });
  else if (taking.length === 1 && parameter === null && parameterRequired(taking[0]!))
    issues.push({
      field: 'roleParameter',
      message: `role ${taking[0]!.name} needs a ${taking[0]!.parameterName}: give it as the role parameter`,
    });
  return issues;
}
