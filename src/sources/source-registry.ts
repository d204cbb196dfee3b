import type { Knex } from 'knex';
import type { AnySourceConfig } from '../config/source-schemas.ts';
import { NotFoundError } from '../errors.ts';
import { findLocalAccount } from '../members/local-accounts.ts';
import type { Logger } from '../observability/logger.ts';
import type { IdentitySource, IdentitySourcePlugin, SourceContext } from '../plugin-api.ts';
import { builtinPlugin } from '../../plugins/builtin/index.ts';
import { oidcPlugin } from '../../plugins/oidc/index.ts';
import { samlPlugin } from '../../plugins/saml/index.ts';
import { consumeOnce } from '../sign-in/consumed-ids.ts';
import { resolveSecret } from './secret-ref.ts';
import { signInUrls } from './source-urls.ts';

// The configured sources of the default organization, each created by its plugin at first use
// (so that the public URL is known: with port 0 it is only known once the daemon listens).

const PLUGINS: Record<AnySourceConfig['type'], IdentitySourcePlugin<never>> = {
  builtin: builtinPlugin,
  saml: samlPlugin,
  oidc: oidcPlugin,
};

export interface SourceRegistryDeps {
  db: Knex;
  orgId: string;
  log: Logger;
  publicUrl(): string;
}

export class SourceRegistry {
  private readonly created = new Map<string, IdentitySource>();

  constructor(private readonly configs: AnySourceConfig[], private readonly deps: SourceRegistryDeps) {}

  list(): AnySourceConfig[] {
    return this.configs;
  }

  config(name: string): AnySourceConfig {
    const config = this.configs.find((c) => c.name === name);
    if (!config) throw new NotFoundError('source', name);
    return config;
  }

  get(name: string): IdentitySource {
    const existing = this.created.get(name);
    if (existing) return existing;
    const config = this.config(name);
    const { db, orgId, log } = this.deps;
    const context: SourceContext = {
      orgId,
      findLocalAccount: (login) => findLocalAccount(db, orgId, login),
      log: log.child({ source: name }),
      urls: signInUrls(this.deps.publicUrl(), config) ?? { login: '', callback: '' },
      resolveSecret: (ref) => resolveSecret(ref),
      consumeOnce: (id, expiresAt) => consumeOnce(db, { orgId, source: name, id, expiresAt }),
    };
    const source = (PLUGINS[config.type] as IdentitySourcePlugin<AnySourceConfig>).create(config, context);
    this.created.set(name, source);
    return source;
  }

  /** Sources that check passwords (built-in, LDAP bind), in configuration order. */
  passwordSources(): IdentitySource[] {
    return this.configs.map((c) => this.get(c.name)).filter((s) => s.authenticate !== undefined);
  }
}
