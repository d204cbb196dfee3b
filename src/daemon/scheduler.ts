import cron, { type ScheduledTask } from 'node-cron';
import { SYSTEM } from '../access/actor.ts';
import type { AppContext } from '../app-context.ts';
import { isLdapSource } from '../config/config-schema.ts';
import type { LdapSourceConfig } from '../../plugins/ldap/config.ts';
import { ConflictError } from '../errors.ts';
import { findOrganization } from '../orgs/organizations.ts';
import { runSync } from '../sync/run-sync.ts';
import { scheduledRunAllowed } from '../sync/source-health.ts';
import type { RunMode } from '../sync/sync-types.ts';

// Each directory source runs on its `schedule` (cron, in its `timezone`): full reconciliation and
// incremental runs separately, for each organization the schedule names (the default one unless
// it says). A tick is skipped while the source backs off after a failure or is quarantined.
// Several daemons may share one PostgreSQL: the source's lease (sync-state.ts) lets one of them
// run it, and the others skip that tick.

export interface Scheduler {
  stop(graceMs: number): Promise<void>;
}

export function startScheduler(ctx: AppContext): Scheduler {
  const tasks: ScheduledTask[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  const deps = {
    db: ctx.database.knex,
    sources: ctx.sources,
    log: ctx.log,
    metrics: ctx.metrics,
    reactions: ctx.reactions,
    instanceId: ctx.instanceId,
    writers: ctx.database.writers,
  };

  /** The organizations a schedule syncs; one that cannot be found is logged at each tick and skipped. */
  async function organizationsOf(refs: string[] | undefined): Promise<string[]> {
    if (!refs) return [ctx.defaultOrgId];
    const ids: string[] = [];
    for (const ref of refs) {
      try {
        ids.push((await findOrganization(deps.db, ref)).id);
      } catch (error) {
        ctx.log.error({ organization: ref, err: error }, 'scheduled sync: no such organization');
      }
    }
    return ids;
  }

  async function tick(entry: LdapSourceConfig, orgId: string, mode: RunMode): Promise<void> {
    const source = entry.name;
    const due = await scheduledRunAllowed(deps.db, orgId, source).catch((error: unknown) => ({
      allowed: false as const,
      reason: String(error),
    }));
    if (!due.allowed) {
      ctx.log.info({ source, orgId, mode, reason: due.reason }, 'scheduled sync skipped');
      return;
    }
    await runSync(deps, { orgId, actor: SYSTEM }, source, {
      mode,
      preview: false,
      trigger: 'schedule',
    }).catch((error: unknown) => {
      if (error instanceof ConflictError)
        ctx.log.info(
          { source, orgId, mode },
          'scheduled sync skipped: a run of this source is in progress',
        );
      else ctx.log.error({ source, orgId, mode, err: error }, 'scheduled sync could not start');
    });
  }

  for (const entry of ctx.config.sources) {
    if (!isLdapSource(entry) || !entry.schedule) continue;
    const schedule = entry.schedule;
    for (const mode of ['full', 'incremental'] as RunMode[]) {
      const expression = schedule[mode];
      if (!expression) continue;
      tasks.push(
        cron.schedule(
          expression,
          async () => {
            const runs = (async () => {
              for (const orgId of await organizationsOf(schedule.organizations)) {
                if (stopped) return;
                await tick(entry, orgId, mode);
              }
            })();
            running.add(runs);
            await runs.finally(() => running.delete(runs));
          },
          {
            name: `sync:${entry.name}:${mode}`,
            noOverlap: true,
            ...(schedule.timezone && { timezone: schedule.timezone }),
          },
        ),
      );
      ctx.log.info(
        {
          source: entry.name,
          mode,
          schedule: expression,
          timezone: schedule.timezone ?? null,
          organizations: schedule.organizations ?? null,
        },
        'sync scheduled',
      );
    }
  }
  return {
    async stop(graceMs) {
      stopped = true;
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
