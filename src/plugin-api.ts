// The identity-source SPI. Plugins under plugins/ import only this file (and shared types
// re-exported here); the daemon selects a plugin by the `type` of a source in the configuration.
// A plugin declares what it can do and implements only that: the capability guards below
// (canReadAll, canReadChanges, ...) are how the daemon asks. A guide with a complete example:
// docs/writing-a-source-plugin.md.

import type { z } from 'zod';
import type { SecretRef } from './config/source-fields.ts';

export {
  enterprisePolicy,
  mappingSchema,
  secretRefSchema,
  sourceNameSchema,
} from './config/source-fields.ts';

/** The answer of {@link IdentitySource.test}: whether the source can be reached and read, in words for an administrator. */
export interface SourceTestResult {
  ok: boolean;
  /** What was tried and what happened (never a secret). */
  message: string;
}

/**
 * The errors a plugin throws so that the daemon can tell what went wrong. Always pass the
 * underlying error as `cause` (it is logged, never shown to end users).
 */
export abstract class SourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The source could not be reached or read (connection refused, timeout, TLS failure, a read
 * that broke off). The run that met it fails and plans no removal: "could not read the
 * directory" is never taken for "everyone was deleted".
 */
export class SourceUnavailableError extends SourceError {}

/**
 * The change token handed to {@link IncrementalSource.readChanges} cannot be used (unknown shape,
 * another kind of directory, too old for the directory to answer from). Throw it from
 * readChanges() itself, before the records are iterated: the engine then reads everything
 * (a full run) instead of failing.
 * @see https://www.rfc-editor.org/rfc/rfc4533#section-3.3 (content synchronization: a cookie the server no longer honours, e-syncRefreshRequired)
 */
export class InvalidChangeTokenError extends SourceError {}

/**
 * The source refused the credentials the DAEMON is configured with (an LDAP bind DN and password,
 * an OIDC client secret): an administrator must fix the configuration. Not for a member's wrong
 * password, which {@link IdentitySource.authenticate} answers as `wrong-password`.
 * @see https://www.rfc-editor.org/rfc/rfc4511#section-4.1.9 (LDAP result code 49, invalidCredentials)
 */
export class InvalidCredentialsError extends SourceError {}

/** A local account as the member store holds it, for sources that check passwords themselves. */
export interface LocalAccount {
  memberId: string;
  username: string;
  status: 'pending' | 'active' | 'disabled';
  passwordHash: string | null;
  mustChangePassword: boolean;
}

/** The answer of {@link IdentitySource.authenticate}; a refusal says why in one word, never with the password. */
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
  /**
   * Profile attributes read through the source's attribute map (department, title, employeeNumber,
   * phone, manager; accountExpires as an ISO date), only those the entry has.
   */
  profile?: Record<string, string>;
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
  /** Users first, then groups; paged from the source, so that a large directory is never held whole. */
  records: AsyncIterable<SourceRecord>;
  /** The token the next incremental read starts from (null when the source has none). */
  nextToken(): string | null;
  /** External ids the directory itself reports deleted (incremental reads). */
  deletedExternalIds(): string[];
}

/**
 * One directory user looked up by login (provision on demand, add on the spot): the record as a
 * read gives it, the attributes read, whether the source's scope takes it (and if not, why), and
 * the groups it is in, each with its effective members as a read gives them.
 */
export interface UserLookup {
  user: SourceUser;
  dn: string;
  attributes: Record<string, string[]>;
  /** Why the source's scope (base DN, filter, users.memberOf) leaves this user out; null when in scope. */
  outOfScope: string | null;
  groups: SourceGroup[];
}

/** One directory group looked up by name or DN, with its member users (nested groups expanded as a read would). */
export interface GroupLookup {
  group: SourceGroup;
  dn: string;
  /** Why the source's group scope leaves this group out; null when in scope. */
  outOfScope: string | null;
  /** Members the source's user scope takes. */
  users: SourceUser[];
  /** Members it leaves out, by DN or login, with the reason. */
  skipped: Array<{ member: string; reason: string }>;
}

/** A directory entry shown to administrators by `ldap search`. */
export interface DirectoryEntry {
  kind: 'user' | 'group';
  dn: string;
  externalId: string;
  name: string;
  email: string | null;
}

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

/**
 * One configured source, created by its plugin. Only `name` and `type` are required: a plugin
 * implements the capabilities its source has, and the daemon asks through the guards below
 * (canReadAll, canReadChanges, canSearch, canAuthenticate, canTest, hasRedirectSignIn).
 */
export interface IdentitySource {
  /** The configured name: links, tokens and run records are kept under it. */
  readonly name: string;
  /** The plugin's type (`ldap`, `oidc`, ...). */
  readonly type: string;
  /**
   * Can the source be reached and read with the configured credentials? Used by
   * `provisiond sources test`. Answer with ok: false rather than throwing.
   */
  test?(): Promise<SourceTestResult>;
  /**
   * Full reconciliation: every user and group in scope, streamed (paged), never all in memory.
   * Throw {@link SourceUnavailableError} (with `cause`) when the source cannot be read.
   * @see https://www.rfc-editor.org/rfc/rfc2696 (LDAP simple paged results)
   */
  readAll?(): SourceRead;
  /**
   * Incremental: what changed since `token` (a value returned by `nextToken()` of an earlier
   * read), and the deletions the directory reports. Throw {@link InvalidChangeTokenError} from
   * this call when the token cannot be used: the engine falls back to a full read.
   * @see https://www.rfc-editor.org/rfc/rfc4533 (LDAP content synchronization)
   * @see https://learn.microsoft.com/en-us/windows/win32/ad/polling-for-changes-using-usnchanged (Active Directory: uSNChanged)
   */
  readChanges?(token: string): SourceRead;
  /** Entries whose name or email contain `text`, at most `limit`, for administrators looking a user up. */
  search?(text: string, limit: number): Promise<DirectoryEntry[]>;
  /** One user by login; null when the directory has no such user at all. */
  findUser?(login: string): Promise<UserLookup | null>;
  /** One group by its name or DN; null when the directory has no such group. */
  findGroup?(nameOrDN: string): Promise<GroupLookup | null>;
  /**
   * Password check for the sign-in route (built-in accounts, LDAP simple bind as the user).
   * A wrong password is an answer (`wrong-password`), not an error; an unreachable directory is
   * a {@link SourceUnavailableError}.
   * @see https://www.rfc-editor.org/rfc/rfc4513#section-5.1.2 (an empty password is an unauthenticated bind: refuse it)
   */
  authenticate?(login: string, password: string): Promise<AuthenticationResult>;
  /** Redirect-based sign-in (SAML, OIDC). */
  signIn?: RedirectSignIn;
}

/** A source that can be read whole: a directory the sync engine reconciles. */
export interface ReadableSource extends IdentitySource {
  readAll(): SourceRead;
}

/** A directory that can also say what changed since a token. */
export interface IncrementalSource extends ReadableSource {
  readChanges(token: string): SourceRead;
}

export interface SearchableSource extends IdentitySource {
  search(text: string, limit: number): Promise<DirectoryEntry[]>;
}

export interface PasswordSource extends IdentitySource {
  authenticate(login: string, password: string): Promise<AuthenticationResult>;
}

export interface TestableSource extends IdentitySource {
  test(): Promise<SourceTestResult>;
}

interface RedirectSource extends IdentitySource {
  signIn: RedirectSignIn;
}

export const canReadAll = (s: IdentitySource): s is ReadableSource =>
  typeof s.readAll === 'function';
export const canReadChanges = (s: IdentitySource): s is IncrementalSource =>
  canReadAll(s) && typeof s.readChanges === 'function';
export const canSearch = (s: IdentitySource): s is SearchableSource =>
  typeof s.search === 'function';
export const canAuthenticate = (s: IdentitySource): s is PasswordSource =>
  typeof s.authenticate === 'function';
export const canTest = (s: IdentitySource): s is TestableSource => typeof s.test === 'function';
export const hasRedirectSignIn = (s: IdentitySource): s is RedirectSource => s.signIn !== undefined;

/** Memory-hard hashing of member passwords. */
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

/**
 * The least every `sources:` entry has; a plugin's own schema (plugins/<type>/config.ts) adds the rest.
 * @public
 */
export interface SourceConfig {
  /** Lower-case letters, digits, - and _: it appears in URLs and is what links are kept under. */
  name: string;
  /** The plugin that serves the entry. */
  type: string;
  [key: string]: unknown;
}

/**
 * A kind of source: selected by the `type` of a configuration entry, it creates one
 * {@link IdentitySource} per entry. Creating must not do I/O (reach the directory or the
 * identity provider at first use): the daemon creates sources at start and for every
 * administration request.
 */
export interface IdentitySourcePlugin<C extends SourceConfig = SourceConfig> {
  readonly type: string;
  create(config: C, context: SourceContext): IdentitySource;
}

/**
 * A plugin as the daemon knows it before its code is loaded: its type, the strict schema of its
 * `sources:` entries (light enough to load at every start and CLI command) and how to load the rest.
 */
export interface PluginRegistration {
  readonly type: string;
  readonly configSchema: z.ZodObject;
  load(): Promise<IdentitySourcePlugin<never>>;
}
