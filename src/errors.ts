// The errors a use case may raise. They are typed once here and mapped at the edges:
// problem+json for the admin API, SCIM error JSON for SCIM, exit codes and lines for the CLI.

export interface FieldIssue {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind:
    | 'validation'
    | 'conflict'
    | 'not-found'
    | 'forbidden'
    | 'unauthorized'
    | 'unavailable'
    | 'limit'
    | 'rate-limited';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly kind = 'validation';
  constructor(
    readonly issues: FieldIssue[],
    message = ValidationError.summarize(issues),
  ) {
    super(message, { issues });
  }
  static field(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
  private static summarize(issues: FieldIssue[]): string {
    return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
  /** `where` names what was searched when it is not obvious (a directory source). */
  constructor(what: string, id: string, where?: string) {
    super(`${what} ${JSON.stringify(id)} was not found${where ? ` in ${where}` : ''}`, {
      what,
      id,
      ...(where && { where }),
    });
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized';
}

/** The membership limit of an organization would be exceeded. */
export class LimitError extends DomainError {
  readonly kind = 'limit';
  constructor(
    readonly limit: number,
    readonly count: number,
    readonly adding: number,
  ) {
    super(
      `the organization's membership limit is ${limit} and it has ${count} members (pending invitations included); adding ${adding} would exceed it`,
      { limit, count, adding },
    );
  }
}

/** Granting add-on licences would exceed how many of them the organization has. */
export class LicenseLimitError extends DomainError {
  readonly kind = 'limit';
  constructor(
    message: string,
    readonly shortfalls: Array<{
      license: string;
      quantity: number;
      inUse: number;
      adding: number;
    }>,
  ) {
    super(message, { licenses: shortfalls });
  }
}

/** Too many failed attempts of something guessable (invitation codes); try again after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate-limited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}

export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

/**
 * A sign-in that is refused. `refusal` says why in a word the sign-in pages translate; the
 * message is for logs and API clients and never carries a password, code or assertion.
 */
export type SignInRefusal =
  | 'wrong-credentials'
  | 'locked'
  | 'directory-unavailable'
  | 'disabled'
  | 'not-allowed'
  | 'email-required'
  | 'username-taken'
  | 'ambiguous-match'
  | 'invitation-invalid'
  | 'invitation-email-mismatch'
  | 'invitation-organization-logins'
  | 'provider-refused'
  | 'flow-expired'
  | 'registration-closed';

export class SignInDeniedError extends DomainError {
  readonly kind = 'unauthorized';
  constructor(
    readonly refusal: SignInRefusal,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { refusal, ...details });
  }
}
