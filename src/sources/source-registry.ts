import type { Knex } from 'knex';
import type { AnySourceConfig } from '../config/source-schemas.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { type IdentitySource, type PasswordSource, canAuthenticate } from '../plugin-api.ts';
import { createSource, sourceContext } from './source-context.ts';
import { signInUrls } from './source-urls.ts';

// The configured sources of the default organization, each created by its plugin at first use
// (so that the public URL is known: with port 0 it is only known once the daemon listens).

export interface SourceRegistryDeps {
  db: Knex;
  orgId: string;
  log: Logger;
  publicUrl(): string;
}

export class SourceRegistry {
  private readonly created = new Map<string, IdentitySource>();

  constructor(
    private readonly configs: AnySourceConfig[],
    private readonly deps: SourceRegistryDeps,
  ) {}

  list(): AnySourceConfig[] {
    return this.configs;
  }

  /** The sources configured for an organization (the configured ones belong to the default organization). */
  of(orgId: string): AnySourceConfig[] {
    return orgId === this.deps.orgId ? this.configs : [];
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
    const source = createSource(
      config,
      sourceContext(db, orgId, name, log, signInUrls(this.deps.publicUrl(), config) ?? undefined),
    );
    this.created.set(name, source);
    return source;
  }

  /** Sources that check passwords (built-in, LDAP bind), in configuration order. */
  passwordSources(): PasswordSource[] {
    return this.configs.map((c) => this.get(c.name)).filter(canAuthenticate);
  }
}
