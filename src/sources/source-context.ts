import type { Knex } from 'knex';
import { resolveSecret } from '../config/secrets.ts';
import type { AnySourceConfig } from '../config/source-schemas.ts';
import { NotFoundError } from '../errors.ts';
import { linkedMember } from '../links/identity-links.ts';
import { findLocalAccount } from '../members/local-accounts.ts';
import type { Logger } from '../observability/logger.ts';
import type {
  IdentitySource,
  IdentitySourcePlugin,
  SignInUrls,
  SourceContext,
} from '../plugin-api.ts';
import { consumeOnce } from '../sign-in/consumed-ids.ts';
import { builtinPlugin } from '../../plugins/builtin/index.ts';
import { ldapPlugin } from '../../plugins/ldap/index.ts';
import { oidcPlugin } from '../../plugins/oidc/index.ts';
import { samlPlugin } from '../../plugins/saml/index.ts';

// Every source, whoever asks for it (sign-in, sync, administration), is created by its plugin with
// the same context: what the daemon lends a plugin, and nothing more.

const PLUGINS: Record<AnySourceConfig['type'], IdentitySourcePlugin<never>> = {
  builtin: builtinPlugin,
  ldap: ldapPlugin,
  saml: samlPlugin,
  oidc: oidcPlugin,
};

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

export function findSourceConfig(sources: AnySourceConfig[], name: string): AnySourceConfig {
  const entry = sources.find((s) => s.name === name);
  if (!entry) throw new NotFoundError('source', name);
  return entry;
}

export function createSource(entry: AnySourceConfig, context: SourceContext): IdentitySource {
  return (PLUGINS[entry.type] as IdentitySourcePlugin<AnySourceConfig>).create(entry, context);
}
