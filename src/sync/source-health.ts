import type { Knex } from 'knex';

// A source's health, kept beside its token and lease: consecutive failures back off
// exponentially (capped), and past `quarantineAfter` the source is quarantined — its schedule
// pauses until an administrator resumes it or a manual run succeeds. Any successful run resets it.

export interface HealthPolicy {
  /** The wait after the first failure; each further failure doubles it. */
  backoffSeconds: number;
  maxBackoffSeconds: number;
  /** Consecutive failures that quarantine the source. */
  quarantineAfter: number;
}

export const DEFAULT_HEALTH: HealthPolicy = {
  backoffSeconds: 60,
  maxBackoffSeconds: 3600,
  quarantineAfter: 5,
};

type HealthState = 'healthy' | 'backing-off' | 'quarantined';

export interface SourceHealth {
  state: HealthState;
  failures: number;
  retryAfter: string | null;
  quarantinedAt: string | null;
  lastError: string | null;
  /** The error's own code (ECONNREFUSED, an LDAP result code): what an administrator searches for. */
  lastErrorCode: string | null;
  lastFailureAt: string | null;
}

/** The wait before the next scheduled attempt after `failures` consecutive failures. */
function backoffSeconds(failures: number, policy: HealthPolicy): number {
  if (failures <= 0) return 0;
  return Math.min(policy.backoffSeconds * 2 ** (failures - 1), policy.maxBackoffSeconds);
}

/** The code of an error or of the first error in its `cause` chain that has one. */
export function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Object; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (typeof code === 'number') return `LDAP_RESULT_${code}`;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

interface HealthRow {
  failures: number;
  retry_after: Date | string | null;
  quarantined_at: Date | string | null;
  last_error: string | null;
  last_error_code: string | null;
  last_failure_at: Date | string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function toHealth(row: HealthRow | undefined, now: Date): SourceHealth {
  if (!row)
    return {
      state: 'healthy',
      failures: 0,
      retryAfter: null,
      quarantinedAt: null,
      lastError: null,
      lastErrorCode: null,
      lastFailureAt: null,
    };
  const retryAfter = iso(row.retry_after);
  return {
    state: row.quarantined_at
      ? 'quarantined'
      : retryAfter && new Date(retryAfter) > now
        ? 'backing-off'
        : 'healthy',
    failures: row.failures,
    retryAfter,
    quarantinedAt: iso(row.quarantined_at),
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    lastFailureAt: iso(row.last_failure_at),
  };
}

export async function readHealth(
  db: Knex,
  orgId: string,
  source: string,
  now = new Date(),
): Promise<SourceHealth> {
  const row = await db('sync_state')
    .where({ org_id: orgId, source })
    .first(
      'failures',
      'retry_after',
      'quarantined_at',
      'last_error',
      'last_error_code',
      'last_failure_at',
    );
  return toHealth(row, now);
}

/** Whether a scheduled tick may run the source now, and if not, why. */
export async function scheduledRunAllowed(
  db: Knex,
  orgId: string,
  source: string,
  now = new Date(),
): Promise<{ allowed: true } | { allowed: false; reason: string }> {
  const health = await readHealth(db, orgId, source, now);
  if (health.state === 'quarantined')
    return { allowed: false, reason: `quarantined since ${health.quarantinedAt}` };
  if (health.state === 'backing-off')
    return { allowed: false, reason: `backing off until ${health.retryAfter}` };
  return { allowed: true };
}

/**
 * Records a failed run; answers the health after it and whether this failure quarantined the
 * source (it was not quarantined before).
 */
export async function recordFailure(
  db: Knex,
  orgId: string,
  source: string,
  failure: { message: string; code: string | null },
  policy: HealthPolicy,
  now = new Date(),
): Promise<{ health: SourceHealth; quarantinedNow: boolean }> {
  return db.transaction(async (trx) => {
    await trx.raw('insert into sync_state (org_id, source) values (?, ?) on conflict do nothing', [
      orgId,
      source,
    ]);
    // The row exists: inserted just above when it did not.
    const before = (await trx('sync_state')
      .where({ org_id: orgId, source })
      .forUpdate()
      .first('failures', 'quarantined_at'))!;
    const failures = before.failures + 1;
    const quarantinedNow = before.quarantined_at === null && failures >= policy.quarantineAfter;
    await trx('sync_state')
      .where({ org_id: orgId, source })
      .update({
        failures,
        retry_after: new Date(now.getTime() + backoffSeconds(failures, policy) * 1000),
        last_error: failure.message.slice(0, 2000),
        last_error_code: failure.code,
        last_failure_at: now,
        ...(quarantinedNow && { quarantined_at: now }),
      });
    return { health: await readHealth(trx, orgId, source, now), quarantinedNow };
  });
}

/** A successful run: the failures are forgotten and a quarantine is lifted. */
export async function recordSuccess(db: Knex, orgId: string, source: string): Promise<void> {
  await db('sync_state')
    .where({ org_id: orgId, source })
    .update({ failures: 0, retry_after: null, quarantined_at: null });
}

/** `sources resume`: lifts a quarantine and the back-off; the last error stays for the record. */
export async function resumeSource(db: Knex, orgId: string, source: string): Promise<void> {
  await db('sync_state')
    .where({ org_id: orgId, source })
    .update({ failures: 0, retry_after: null, quarantined_at: null });
}
