// The identity-source SPI. Plugins under plugins/ import only this file (and shared types
// re-exported here); the daemon selects a plugin by the `type` of a source in the configuration.
// A plugin declares what it can do and implements only that.

import type { SecretRef } from './config/source-schemas.ts';

export interface SourceTestResult {
  ok: boolean;
  message: string;
}

/** A local account as the member store holds it, for sources that check passwords themselves. */
export interface LocalAccount {
  memberId: string;
  username: string;
  status: 'pending' | 'active' | 'disabled';
  passwordHash: string | null;
  mustChangePassword: boolean;
}

export type AuthenticationResult =
  | { ok: true; memberId: string; mustChangePassword: boolean }
  | { ok: false; reason: 'unknown-login' | 'wrong-password' | 'disabled' | 'no-password' };

/**
 * A user read from a directory. `ref` is how the directory's groups name this user: its DN for
 * `member` groups, its login for `memberUid` groups — lower-cased, so that the engine can match.
 */
export interface SourceUser {
  kind: 'user';
  externalId: string;
  ref: string;
  login: string;
  email: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  disabled: boolean;
  /** The enterprise groups (DNs, lower-cased) the directory says the user is in: for role rules. */
  groups: string[];
}

/** A group read from a directory, with the refs of its (possibly nested-expanded) member users. */
export interface SourceGroup {
  kind: 'group';
  externalId: string;
  ref: string;
  name: string;
  description: string;
  members: string[];
}

export type SourceRecord = SourceUser | SourceGroup;

/**
 * One read of a source. Every user comes before the first group, so that a group's members are
 * known when it arrives. The token and the deletions are known once `records` has been consumed.
 */
export interface SourceRead {
  records: AsyncIterable<SourceRecord>;
  nextToken(): string | null;
  /** External ids the directory itself reports deleted (incremental reads). */
  deletedExternalIds(): string[];
}

/** A directory entry shown to administrators by `ldap search`. */
export interface DirectoryEntry {
  kind: 'user' | 'group';
  dn: string;
  externalId: string;
  name: string;
  email: string | null;
}

export type { SamlSourceConfig, OidcSourceConfig } from './config/source-schemas.ts';

/**
 * An identity an identity provider vouched for after a redirect sign-in: `externalId` is the
 * stable id the link keeps (SAML NameID, OIDC `sub`), `login` the account name it is known by.
 * `email` is set only when the source trusts it (OIDC: `email_verified` where configured).
 */
export interface VerifiedIdentity {
  externalId: string;
  login: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  displayName?: string;
}

/** Where a redirect sign-in sends the browser, and what the daemon must keep until it comes back. */
export interface SignInStart {
  redirectUrl: string;
  /** Kept server-side (never in the browser) and handed back to complete(). */
  pending: Record<string, string>;
}

/** The browser's return from the identity provider, as the daemon received it. */
export interface SignInCallback {
  /** The full URL of the request (OIDC reads code and state from it). */
  url: string;
  /** Form fields of a POST (SAML: SAMLResponse, RelayState). */
  form: Record<string, string>;
}

/** The daemon's URLs for one redirect source, built from `server.publicUrl`. */
export interface SignInUrls {
  login: string;
  callback: string;
  metadata?: string;
}

/**
 * Redirect-based sign-in (SAML, OIDC). The daemon owns the routes, the flow state, sessions and
 * linking; the plugin only talks to its identity provider. `flowId` is an opaque per-flow value
 * the plugin must carry through the provider (OIDC `state`, SAML RelayState); the daemon finds
 * the flow by it. complete() throws SignInRefused when the answer must not be trusted.
 */
export interface RedirectSignIn {
  /** 'GET' for an OIDC redirect, 'POST' for a SAML ACS. */
  readonly callbackMethod: 'GET' | 'POST';
  /** Last path segment of the callback URL: 'callback' (OIDC) or 'acs' (SAML). */
  readonly callbackName: string;
  start(flowId: string): Promise<SignInStart>;
  /** The flow id the provider sent back, before the flow is looked up. */
  flowIdOf(callback: SignInCallback): string | null;
  complete(callback: SignInCallback, pending: Record<string, string>): Promise<VerifiedIdentity>;
  /** Service-provider metadata to publish (SAML), if the protocol has them. */
  metadata?(): Promise<string>;
}

/** A redirect sign-in that must be refused; `reason` is logged, never shown with secrets in it. */
export class SignInRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SignInRefused';
  }
}

export interface IdentitySource {
  readonly name: string;
  readonly type: string;
  test?(): Promise<SourceTestResult>;
  /** Full reconciliation: every user and group in scope, streamed (paged), never all in memory. */
  readAll?(): SourceRead;
  /** Incremental: what changed since `token` (a value returned by `nextToken()` of an earlier read). */
  readChanges?(token: string): SourceRead;
  search?(text: string, limit: number): Promise<DirectoryEntry[]>;
  /** Password check for the sign-in route (built-in accounts, LDAP bind). */
  authenticate?(login: string, password: string): Promise<AuthenticationResult>;
  signIn?: RedirectSignIn;
}

/** Memory-hard hashing of member passwords (R-MEM-5). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** What the daemon hands a plugin when it creates a source. */
export interface SourceContext {
  orgId: string;
  findLocalAccount(login: string): Promise<LocalAccount | null>;
  /** The member linked to a record of this source, for sources that sign in by bind. */
  findLinkedMember(
    externalId: string,
  ): Promise<{ memberId: string; status: LocalAccount['status'] } | null>;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** The daemon's URLs for this source (redirect sign-in). */
  urls: SignInUrls;
  /** Reads a secret given by reference; the value must never be logged. */
  resolveSecret(ref: SecretRef): string;
  /**
   * Records a one-time value (a SAML assertion id) until `expiresAt`, in the database so that
   * every daemon sees it: true the first time, false when it was already used (a replay).
   */
  consumeOnce(id: string, expiresAt: Date): Promise<boolean>;
}

export interface SourceConfig {
  name: string;
  type: string;
  [key: string]: unknown;
}

export type { LdapSourceConfig } from './config/ldap-source-schema.ts';

export interface IdentitySourcePlugin<C extends SourceConfig = SourceConfig> {
  readonly type: string;
  create(config: C, context: SourceContext): IdentitySource;
}
