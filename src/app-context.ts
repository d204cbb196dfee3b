import type { Config } from './config/config-schema.ts';
import type { LinkSealer } from './invitations/link-sealer.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import type { PasswordHasher } from './plugin-api.ts';
import type { InvitationAcceptanceHook } from './sign-in/invitation-hook.ts';
import type { SourceRegistry } from './sources/source-registry.ts';
import type { UnmatchedReaction } from './sync/reactions.ts';
import type { Database } from './store/database.ts';
import type { ProvisioningLogWriter } from './scim/provisioning-log-writer.ts';

/** What the edges (HTTP, CLI) hand the use cases: built once at start. */
export interface AppContext {
  config: Config;
  database: Database;
  log: Logger;
  metrics: Metrics;
  hasher: PasswordHasher;
  defaultOrgId: string;
  /** The base of the URLs identity providers and browsers use (`server.publicUrl`, or where the daemon listens). */
  publicUrl: string;
  sources: SourceRegistry;
  /** What a sync run may do with unmatched directory users beyond create and ignore. */
  reactions: readonly UnmatchedReaction[];
  /** Set by the invitations use case; until then a sign-in carrying an invitation is refused. */
  invitations: InvitationAcceptanceHook | null;
  /** Seals invitation links so that administrators can copy them again. */
  links: LinkSealer;
  /** Signs CSRF tokens (derived from the link key, so shared by every daemon of a database). */
  csrfKey: Buffer;
  /** Writes the SCIM provisioning log after each write is answered, several entries an insert. */
  provisioningLog: ProvisioningLogWriter;
  /** This process's row in `instances` (cluster/instances.ts); null for in-memory test contexts. */
  instanceId: string | null;
}
