import { invitationHook } from '../invitations/invitation-acceptance.ts';
import { inviteReaction } from '../invitations/invite-reaction.ts';
import { loadLinkKey } from '../invitations/link-key.ts';
import { linkSealer } from '../invitations/link-sealer.ts';
import { registerUnmatchedReaction } from '../sync/reactions.ts';
import { SYSTEM } from '../access/actor.ts';
import type { AppContext } from '../app-context.ts';
import type { Config } from '../config/config-schema.ts';
import { createLogger } from '../observability/logger.ts';
import { Metrics } from '../observability/metrics.ts';
import { ensureDefaultOrganization } from '../orgs/organizations.ts';
import { argon2Hasher } from '../../plugins/builtin/index.ts';
import { SourceRegistry } from '../sources/source-registry.ts';
import { openDatabase } from '../store/database.ts';
import { migrateToLatest } from '../store/migrations.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { deriveCsrfKey } from '../http/csrf/csrf-token.ts';

export interface OpenedContext {
  ctx: AppContext;
  appliedMigrations: string[];
  close(): Promise<void>;
}

/**
 * Opens the database (locking PGlite's data directory first), applies migrations and makes sure
 * an organization exists. Used by the daemon and by the CLI when no daemon runs.
 */
export async function openContext(
  config: Config,
  purpose: 'daemon' | 'cli',
): Promise<OpenedContext> {
  const embedded = !config.database.url;
  const lock =
    embedded && config.database.dataDir !== 'memory://'
      ? acquireDataDirLock(config.database.dataDir, purpose)
      : null;
  try {
    const database = await openDatabase({
      url: config.database.url,
      dataDir: config.database.dataDir,
    });
    try {
      const appliedMigrations = await migrateToLatest(database.knex);
      const org = await ensureDefaultOrganization(database.knex, SYSTEM, config.organization.name);
      const log = createLogger(
        purpose === 'cli' ? 'warn' : config.log.level,
        purpose === 'cli' ? 'stderr' : 'stdout',
      );
      const linkKey = loadLinkKey(config);
      const ctx: AppContext = {
        config,
        database,
        log,
        metrics: new Metrics(),
        hasher: argon2Hasher,
        defaultOrgId: org.id,
        publicUrl: config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`,
        sources: new SourceRegistry(config.sources, {
          db: database.knex,
          orgId: org.id,
          log,
          publicUrl: () => ctx.publicUrl,
        }),
        invitations: invitationHook,
        links: linkSealer(linkKey),
        csrfKey: deriveCsrfKey(linkKey),
      };
      // The daemon learns its address (port 0) after this; the reaction reads it when it runs.
      registerUnmatchedReaction(
        inviteReaction({ hasher: argon2Hasher, links: ctx.links, publicUrl: () => ctx.publicUrl }),
      );
      return {
        ctx,
        appliedMigrations,
        async close() {
          try {
            await database.close();
          } finally {
            lock?.release();
          }
        },
      };
    } catch (error) {
      await database.close();
      throw error;
    }
  } catch (error) {
    lock?.release();
    throw error;
  }
}
