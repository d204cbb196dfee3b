import { DomainError, ValidationError } from '../errors.ts';

// SCIM's own error shape (RFC 7644 §3.12): status as a string, and a scimType for 400s and 409s.

export type ScimType =
  | 'invalidFilter'
  | 'invalidSyntax'
  | 'invalidValue'
  | 'invalidPath'
  | 'noTarget'
  | 'uniqueness'
  | 'mutability'
  | 'tooMany'
  | 'invalidVers'
  | 'tooLarge';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  body(): Record<string, unknown> {
    return {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(this.status),
      ...(this.scimType && { scimType: this.scimType }),
      detail: this.message,
    };
  }
}

export const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);
export const invalidFilter = (detail: string) => new ScimError(400, 'invalidFilter', detail);
export const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
export const invalidSyntax = (detail: string) => new ScimError(400, 'invalidSyntax', detail);
export const mutability = (detail: string) => new ScimError(400, 'mutability', detail);
export const noTarget = (detail: string) => new ScimError(400, 'noTarget', detail);

/**
 * The input guard refuses what no route should read (strings past the length limit, invalid
 * UTF-8) before SCIM parses it: a filter or a PATCH path so refused keeps its SCIM error type.
 */
function validationType(error: DomainError): ScimType {
  const fields = error instanceof ValidationError ? error.issues.map((i) => i.field) : [];
  if (fields.includes('filter')) return 'invalidFilter';
  if (fields.some((f) => /^Operations\.\d+\.path$/.test(f))) return 'invalidPath';
  return 'invalidValue';
}

/** The SCIM error for an error of the use cases (or null for an unexpected one). */
export function scimErrorOf(error: unknown): ScimError | null {
  if (error instanceof ScimError) return error;
  if (!(error instanceof DomainError)) return null;
  switch (error.kind) {
    case 'validation':
      return new ScimError(400, validationType(error), error.message);
    case 'conflict':
      return new ScimError(409, 'uniqueness', error.message);
    case 'limit':
      return new ScimError(409, 'tooMany', error.message);
    case 'not-found':
      return new ScimError(404, undefined, error.message);
    case 'forbidden':
      return new ScimError(403, undefined, error.message);
    case 'unauthorized':
      return new ScimError(401, undefined, error.message);
    case 'unavailable':
      return new ScimError(503, undefined, error.message);
    case 'rate-limited':
      return new ScimError(429, undefined, error.message);
  }
}
