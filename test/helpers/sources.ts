import type { Knex } from 'knex';
import type { Logger } from '../../src/observability/logger.ts';
import type { IdentitySourcePlugin, SourceConfig } from '../../src/plugin-api.ts';
import { SourceRegistry } from '../../src/sources/source-registry.ts';

/** A registry of the given sources, as the daemon builds one from its configuration. */
export function sourceRegistry<C extends SourceConfig>(
  db: Knex,
  log: Logger,
  configs: C[],
  plugins?: readonly IdentitySourcePlugin<never>[],
): Promise<SourceRegistry<C>> {
  return SourceRegistry.open(configs, { db, defaultOrgId: '', log, ...(plugins && { plugins }) });
}
