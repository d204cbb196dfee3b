import type { AppContext } from '../app-context.ts';
import { forgetDeadInstances, heartbeat } from '../cluster/instances.ts';
import { failOrphanedImports } from '../import/import-service.ts';
import { failOrphanedRuns } from '../sync/sync-runs.ts';

// What the daemon does on its own every few seconds: says it is alive, and fails the sync runs
// and import applies left behind by a process that died, so that they read as failed (and an
// import as resumable) at once instead of `running` for ever.

export const HOUSEKEEPING_MS = 5000;

export interface Housekeeping {
  stop(): Promise<void>;
}

export function startHousekeeping(ctx: AppContext): Housekeeping {
  const db = ctx.database.knex;
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
  current = round();
  const timer = setInterval(() => {
    current = current.then(round);
  }, HOUSEKEEPING_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
