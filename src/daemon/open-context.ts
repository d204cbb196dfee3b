import { invitationHook } from '../invitations/invitation-acceptance.ts';
import { inviteReaction } from '../invitations/invite-reaction.ts';
import { loadLinkKey } from '../invitations/link-key.ts';
import { type Instance, linkKeyId, registerInstance } from '../cluster/instances.ts';
import { linkSealer } from '../invitations/link-sealer.ts';
import { SYSTEM } from '../access/actor.ts';
import type { AppContext } from '../app-context.ts';
import type { Config } from '../config/config-schema.ts';
import { createLogger } from '../observability/logger.ts';
import { Metrics } from '../observability/metrics.ts';
import { ensureDefaultOrganization } from '../orgs/organizations.ts';
import { argon2Hasher } from '../../plugins/builtin/index.ts';
import { SourceRegistry } from '../sources/source-registry.ts';
import { assertSchemaUsable, migrateToLatest, migrationStatus } from '../store/migrations.ts';
import { type OpenStore, openStore } from './open-store.ts';
import { deriveCsrfKey } from '../http/csrf/csrf-token.ts';
import { databaseOpenError } from './startup-errors.ts';
import { provisioningLogWriter } from '../scim/provisioning-log-writer.ts';

export interface OpenedContext {
  ctx: AppContext;
  instance: Instance;
  appliedMigrations: string[];
  close(): Promise<void>;
}

/**
 * Opens the database (see openStore) and makes sure an organization exists. Only the daemon
 * applies migrations, and only with `database.migrate: auto`; otherwise a schema behind this
 * release is refused with what to run. The daemon passes the store it opened itself.
 */
export async function openContext(
  config: Config,
  purpose: 'daemon' | 'cli',
  opened?: OpenStore,
): Promise<OpenedContext> {
  const store = opened ?? (await openStore(config, purpose));
  const { database, migrating } = store;
  const closers: Array<() => Promise<void>> = [];
  try {
    const status = await migrationStatus(database.knex).catch((error: unknown) => {
      throw databaseOpenError(config, error);
    });
    let appliedMigrations: string[] = [];
    if (migrating) {
      // A new database from the cached migrated copy reports the migrations the copy holds.
      const applied = await migrateToLatest(database.knex);
      appliedMigrations = database.fromSchemaCopy ? [...status.applied, ...applied] : applied;
      await database.keepSchemaCopy?.();
    } else
      assertSchemaUsable(
        status,
        purpose === 'daemon'
          ? 'run `provisiond migrate` first (or set database.migrate: auto)'
          : 'run `provisiond migrate`',
      );
    const org = await ensureDefaultOrganization(database.knex, SYSTEM, config.organization.name);
    const log = createLogger(
      purpose === 'cli' ? 'warn' : config.log.level,
      purpose === 'cli' ? 'stderr' : 'stdout',
    );
    const linkKey = loadLinkKey(config);
    const instance = await registerInstance(database.knex, {
      kind: purpose,
      linkKeyId: linkKeyId(linkKey),
      log,
      url: config.database.url,
    });
    closers.push(() => instance.close());
    const links = linkSealer(linkKey);
    const sources = await SourceRegistry.open(config.sources, {
      db: database.knex,
      defaultOrgId: org.id,
      log,
      publicUrl: () => ctx.publicUrl,
    });
    const provisioningLog = provisioningLogWriter(database.knex, (error, entry) =>
      log.error(
        { err: error, method: entry.method, targetId: entry.targetId, status: entry.status },
        'the SCIM provisioning log could not be written',
      ),
    );
    // Before the database closes: the writes answered last are logged too.
    closers.push(() => provisioningLog.drain());
    const ctx: AppContext = {
      config,
      database,
      log,
      metrics: new Metrics(),
      hasher: argon2Hasher,
      defaultOrgId: org.id,
      publicUrl: config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`,
      sources,
      invitations: invitationHook,
      links,
      csrfKey: deriveCsrfKey(linkKey),
      instanceId: instance.id,
      provisioningLog,
      // The daemon learns its address (port 0) later; the reaction reads it when it runs.
      reactions: [
        inviteReaction({
          hasher: argon2Hasher,
          links,
          publicUrl: () => ctx.publicUrl,
          sources: (orgId) => ctx.sources.of(orgId),
        }),
      ],
    };
    return {
      ctx,
      appliedMigrations,
      instance,
      async close() {
        try {
          for (const close of closers.reverse()) await close();
        } finally {
          await store.close();
        }
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close();
    await store.close();
    throw error;
  }
}
