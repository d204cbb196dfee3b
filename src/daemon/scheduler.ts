import cron, { type ScheduledTask } from 'node-cron';
import { SYSTEM } from '../access/actor.ts';
import type { AppContext } from '../app-context.ts';
import { isLdapSource } from '../config/config-schema.ts';
import { ConflictError } from '../errors.ts';
import { runSync } from '../sync/run-sync.ts';
import { scheduledRunAllowed } from '../sync/source-health.ts';
import type { RunMode } from '../sync/sync-types.ts';

// Each directory source runs on its `schedule` (cron): full reconciliation and incremental runs
// separately. A tick is skipped while the source backs off after a failure or is quarantined. Several daemons may share one PostgreSQL: the source's lease (sync-state.ts) lets
// one of them run it, and the others skip that tick.

export interface Scheduler {
  stop(graceMs: number): Promise<void>;
}

export function startScheduler(ctx: AppContext): Scheduler {
  const tasks: ScheduledTask[] = [];
  const running = new Set<Promise<unknown>>();
  const deps = {
    db: ctx.database.knex,
    sources: ctx.config.sources,
    log: ctx.log,
    metrics: ctx.metrics,
    instanceId: ctx.instanceId,
  };
  for (const entry of ctx.config.sources) {
    if (!isLdapSource(entry) || !entry.schedule) continue;
    for (const mode of ['full', 'incremental'] as RunMode[]) {
      const expression = entry.schedule[mode];
      if (!expression) continue;
      tasks.push(
        cron.schedule(
          expression,
          async () => {
            const due = await scheduledRunAllowed(deps.db, ctx.defaultOrgId, entry.name).catch(
              (error: unknown) => ({ allowed: false as const, reason: String(error) }),
            );
            if (!due.allowed) {
              ctx.log.info(
                { source: entry.name, mode, reason: due.reason },
                'scheduled sync skipped',
              );
              return;
            }
            const run = runSync(deps, { orgId: ctx.defaultOrgId, actor: SYSTEM }, entry.name, {
              mode,
              preview: false,
              trigger: 'schedule',
            }).catch((error: unknown) => {
              if (error instanceof ConflictError)
                ctx.log.info(
                  { source: entry.name, mode },
                  'scheduled sync skipped: a run of this source is in progress',
                );
              else
                ctx.log.error(
                  { source: entry.name, mode, err: error },
                  'scheduled sync could not start',
                );
            });
            running.add(run);
            await run.finally(() => running.delete(run));
          },
          { name: `sync:${entry.name}:${mode}`, noOverlap: true },
        ),
      );
      ctx.log.info({ source: entry.name, mode, schedule: expression }, 'sync scheduled');
    }
  }
  return {
    async stop(graceMs) {
      await Promise.all(tasks.map((t) => t.stop()));
      // A run in flight may finish within the grace period; past it, closing the database fails
      // the run, and its lease expires on its own.
      await Promise.race([
        Promise.all(running),
        new Promise((r) => setTimeout(r, graceMs).unref()),
      ]);
    },
  };
}
