import type { Knex } from 'knex';
import { resolveSecret } from '../config/secrets.ts';
import { NotFoundError } from '../errors.ts';
import { linkedMember } from '../links/identity-links.ts';
import { findLocalAccount } from '../members/local-accounts.ts';
import type { Logger } from '../observability/logger.ts';
import type {
  IdentitySource,
  IdentitySourcePlugin,
  SignInUrls,
  SourceConfig,
  SourceContext,
} from '../plugin-api.ts';
import { consumeOnce } from '../sign-in/consumed-ids.ts';

// Every source, whoever asks for it (sign-in, sync, administration), is created by its plugin with
// the same context: what the daemon lends a plugin, and nothing more.

const NO_URLS: SignInUrls = { login: '', callback: '' };

export function sourceContext(
  db: Knex,
  orgId: string,
  sourceName: string,
  log: Logger,
  urls: SignInUrls = NO_URLS,
): SourceContext {
  return {
    orgId,
    log: log.child({ source: sourceName }),
    urls,
    findLocalAccount: (login) => findLocalAccount(db, orgId, login),
    findLinkedMember: (externalId) => linkedMember(db, orgId, sourceName, externalId),
    resolveSecret: (ref) => resolveSecret(ref),
    consumeOnce: (id, expiresAt) => consumeOnce(db, { orgId, source: sourceName, id, expiresAt }),
  };
}

/** Creates a configured source with the plugin of its type (source-registry.ts is the caller). */
export function createSource(
  entry: SourceConfig,
  context: SourceContext,
  plugins: readonly IdentitySourcePlugin<never>[],
): IdentitySource {
  const plugin = plugins.find((p) => p.type === entry.type);
  if (!plugin) throw new NotFoundError('source type', entry.type);
  // The entry was checked against the plugin's configuration schema when it was loaded.
  return (plugin as IdentitySourcePlugin).create(entry, context);
}
