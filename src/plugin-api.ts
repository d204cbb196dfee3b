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

/** A record read from a directory: one user or one group, with its stable external id. */
export interface SourceRecord {
  kind: 'user' | 'group';
  externalId: string;
  login?: string;
  attributes: Record<string, string | string[] | undefined>;
  /** For groups: the external ids (or DNs) of their members. */
  members?: string[];
}

export interface ChangeSet {
  records: AsyncIterable<SourceRecord>;
  deletedExternalIds: string[];
  nextToken: string;
}

export interface IdentitySource {
  readonly name: string;
  readonly type: string;
  test?(): Promise<SourceTestResult>;
  readAll?(): AsyncIterable<SourceRecord>;
  readChanges?(token: string | null): Promise<ChangeSet>;
  authenticate?(login: string, password: string): Promise<AuthenticationResult>;
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
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export interface SourceConfig {
  name: string;
  type: string;
  [key: string]: unknown;
}

export interface IdentitySourcePlugin<C extends SourceConfig = SourceConfig> {
  readonly type: string;
  create(config: C, context: SourceContext): IdentitySource;
}
