import type { AppContext } from '../app-context.ts';
import { forgetDeadInstances, heartbeat } from '../cluster/instances.ts';
import { failOrphanedImports } from '../import/import-apply-run.ts';
import { failOrphanedRuns } from '../sync/sync-runs.ts';
import { UnavailableError } from '../errors.ts';
import { pruneHistory, retentionRules } from '../retention/retention.ts';

// What the daemon does on its own: every few seconds it says it is alive and fails the sync runs
// and import applies left behind by a process that died, so that they read as failed (and an
// import as resumable) at once instead of `running` for ever; every retention.intervalMinutes it
// prunes old history (src/retention/retention.ts).

const HOUSEKEEPING_MS = 5000;

export interface Housekeeping {
  stop(): Promise<void>;
}

export function startHousekeeping(ctx: AppContext): Housekeeping {
  const db = ctx.database.knex;
  const retention = ctx.config.retention;
  const kinds = new Set(retentionRules().map((r) => r.kind));
  for (const kind of Object.keys(retention.days))
    if (!kinds.has(kind))
      throw new UnavailableError(
        `retention.days.${kind}: unknown kind of history (known: ${[...kinds].join(', ')})`,
      );
  let current: Promise<void> = Promise.resolve();
  const round = async () => {
    try {
      if (ctx.instanceId) await heartbeat(db, ctx.instanceId);
      const runs = await failOrphanedRuns(db);
      const imports = await failOrphanedImports(db);
      if (runs + imports > 0)
        ctx.log.warn(
          { syncRuns: runs, imports },
          'marked work left by a stopped process as failed',
        );
      await forgetDeadInstances(db);
    } catch (error) {
      ctx.log.error({ err: error }, 'housekeeping round failed');
    }
  };
  const prune = async () => {
    try {
      await pruneHistory(
        db,
        {
          batchSize: retention.batchSize,
          // The SCIM log's own setting, unless retention.days names it.
          days: { scimLog: ctx.config.scim.logRetentionDays, ...retention.days },
          auditArchive: retention.auditArchive,
        },
        ctx.log,
        ctx.metrics,
      );
    } catch (error) {
      ctx.log.error({ err: error }, 'retention round failed');
    }
  };
  current = round();
  const timer = setInterval(() => {
    current = current.then(round);
  }, HOUSEKEEPING_MS);
  timer.unref();
  // Retention runs a minute after start (out of the way of start-up), then every interval.
  const interval = retention.intervalMinutes * 60_000;
  const schedule = (ms: number): NodeJS.Timeout =>
    setTimeout(() => {
      current = current.then(prune);
      pruning = schedule(interval);
    }, ms).unref();
  let pruning = schedule(60_000);
  return {
    async stop() {
      clearInterval(timer);
      clearTimeout(pruning);
      await current;
    },
  };
}
