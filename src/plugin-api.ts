// The identity-source SPI. Plugins under plugins/ import only this file (and shared types
// re-exported here); the daemon selects a plugin by the `type` of a source in the configuration.
// A plugin declares what it can do and implements only that.

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

export interface IdentitySource {
  readonly name: string;
  readonly type: string;
  test?(): Promise<SourceTestResult>;
  /** Full reconciliation: every user and group in scope, streamed (paged), never all in memory. */
  readAll?(): SourceRead;
  /** Incremental: what changed since `token` (a value returned by `nextToken()` of an earlier read). */
  readChanges?(token: string): SourceRead;
  search?(text: string, limit: number): Promise<DirectoryEntry[]>;
  authenticate?(login: string, password: string): Promise<AuthenticationResult>;
}

/** A secret given by reference in the configuration: an environment variable or a file. */
export type SecretRef = { env: string } | { file: string };

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
  findLinkedMember(externalId: string): Promise<{ memberId: string; status: LocalAccount['status'] } | null>;
  resolveSecret(ref: SecretRef): string;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
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
