import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { type HealthPolicy, recordFailure, recordSuccess } from './source-health.ts';
import { notifyAdministrators } from './sync-notices.ts';
import type { Counts, RunMode } from './sync-types.ts';
import type { Knex } from 'knex';

// What a finished run leaves besides its record: the source's health (failures back off, then
// quarantine it) and the run's metrics.

interface OutcomeDeps {
  db: Knex;
  log: Logger;
  metrics?: Metrics | undefined;
}

/** A failed run counts against the source's health (and may quarantine it); any other resets it. */
export async function recordHealth(
  deps: OutcomeDeps,
  orgId: string,
  source: string,
  policy: HealthPolicy,
  outcome: { failed: boolean; error: string; code: string | null },
): Promise<void> {
  if (!outcome.failed) {
    await recordSuccess(deps.db, orgId, source);
    deps.metrics?.syncQuarantined.set({ source }, 0);
    return;
  }
  const { health, quarantinedNow } = await recordFailure(
    deps.db,
    orgId,
    source,
    { message: outcome.error, code: outcome.code },
    policy,
  );
  if (!quarantinedNow) return;
  deps.metrics?.syncQuarantined.set({ source }, 1);
  deps.log.error(
    { source, failures: health.failures, errorCode: outcome.code },
    'source quarantined after repeated failures: its schedule is paused until it is resumed',
  );
  await deps.db.transaction((trx) =>
    notifyAdministrators(trx, orgId, 'source-quarantined', {
      source,
      failures: String(health.failures),
      error: outcome.error,
      code: outcome.code,
    }),
  );
}

export function recordMetrics(
  metrics: Metrics | undefined,
  source: string,
  mode: RunMode,
  status: string,
  counts: Counts,
  seconds: number,
): void {
  if (!metrics || status === 'preview') return;
  metrics.syncRuns.inc({ source, mode, status });
  metrics.syncDuration.observe({ source, mode }, seconds);
  for (const [change, n] of Object.entries(counts))
    if (n > 0) metrics.syncChanges.inc({ source, change }, n);
  if (status === 'succeeded') metrics.syncLastSuccess.set({ source }, Date.now() / 1000);
}
