import type { Knex } from 'knex';
import type { AnySourceConfig } from '../config/source-schemas.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import {
  type IdentitySource,
  type IdentitySourcePlugin,
  type PasswordSource,
  type SourceConfig,
  canAuthenticate,
} from '../plugin-api.ts';
import { BUILT_IN_PLUGINS } from '../../plugins/built-in.ts';
import { createSource, sourceContext } from './source-context.ts';
import { signInUrls } from './source-urls.ts';

// The one place sources come from, for sign-in, sync and source administration alike. A configured
// source acts for an organization: its context (linked members, local accounts, replay guard) is
// that organization's, so the registry keeps one source per organization and name, each created by
// its plugin at first use (then the public URL is known: with port 0 it is only known once the
// daemon listens).

export interface SourceRegistryDeps {
  db: Knex;
  /** The organization sign-in serves; configured sources are listed as its own. */
  defaultOrgId: string;
  log: Logger;
  /** The daemon's public base URL, for the sign-in URLs of SAML and OIDC sources. */
  publicUrl?: () => string;
  /** Plugins beyond the ones the daemon ships (a third party's, already loaded). */
  plugins?: readonly IdentitySourcePlugin<never>[];
}

export class SourceRegistry<C extends SourceConfig = AnySourceConfig> {
  private readonly created = new Map<string, IdentitySource>();

  private constructor(
    private readonly configs: readonly C[],
    private readonly deps: SourceRegistryDeps,
    private readonly plugins: readonly IdentitySourcePlugin<never>[],
  ) {}

  /** A registry of these sources, with the code of the plugins they need loaded. */
  static async open<C extends SourceConfig>(
    configs: readonly C[],
    deps: SourceRegistryDeps,
  ): Promise<SourceRegistry<C>> {
    const extra = deps.plugins ?? [];
    const types = new Set(configs.map((c) => c.type));
    const shipped = await Promise.all(
      BUILT_IN_PLUGINS.filter(
        (p) => types.has(p.type) && !extra.some((e) => e.type === p.type),
      ).map((p) => p.load()),
    );
    return new SourceRegistry(configs, deps, [...extra, ...shipped]);
  }

  /** Every configured source, in configuration order. */
  list(): readonly C[] {
    return this.configs;
  }

  /** The sources an organization lists as its own (the configured ones belong to the default organization). */
  of(orgId: string): readonly C[] {
    return orgId === this.deps.defaultOrgId ? this.configs : [];
  }

  config(name: string): C {
    const config = this.configs.find((c) => c.name === name);
    if (!config) throw new NotFoundError('source', name);
    return config;
  }

  /** The source `name` acting for the organization `orgId`. */
  get(orgId: string, name: string): IdentitySource {
    const key = `${orgId}\n${name}`;
    const existing = this.created.get(key);
    if (existing) return existing;
    const config = this.config(name);
    const { db, log, publicUrl } = this.deps;
    const urls = publicUrl ? (signInUrls(publicUrl(), config) ?? undefined) : undefined;
    const source = createSource(config, sourceContext(db, orgId, name, log, urls), this.plugins);
    this.created.set(key, source);
    return source;
  }

  /** The sources of the default organization that check passwords (built-in, LDAP bind), in configuration order. */
  passwordSources(): PasswordSource[] {
    return this.configs
      .map((c) => this.get(this.deps.defaultOrgId, c.name))
      .filter(canAuthenticate);
  }
}
