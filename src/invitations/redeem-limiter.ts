import type { Knex } from 'knex';
import { RateLimitedError } from '../errors.ts';
import { counted } from '../counted.ts';

// Failed code redemptions are limited per member and per client address, so that guessing codes
// (122 random bits, but still) or hammering a used one is cut short. Only the member's own
// session redeems for the member, so a member can only exhaust their own limit; the address
// limit is higher, since members behind one proxy or NAT share an address (the daemon reads the
// client's address from trusted proxies only: server.trustProxy). Counted in the database:
// every daemon on one PostgreSQL and a restart agree.

/** Failures of one member in a window. */
export const MAX_FAILURES = 10;
/** Failures from one client address, all members together, in a window. */
export const MAX_ADDRESS_FAILURES = 50;
const WINDOW_MS = 15 * 60_000;

interface LimiterKey {
  key: string;
  max: number;
}

export function limiterKeys(memberId: string, address: string): LimiterKey[] {
  return [
    { key: `member:${memberId}`, max: MAX_FAILURES },
    { key: `address:${address}`, max: MAX_ADDRESS_FAILURES },
  ];
}

/** Refuses when one of the keys has had its maximum of failures in its current window. */
export async function assertNotLimited(
  db: Knex,
  orgId: string,
  keys: LimiterKey[],
  now: Date,
): Promise<void> {
  const rows = await db('code_redeem_failures')
    .where('org_id', orgId)
    .andWhere((q) => {
      for (const { key, max } of keys)
        q.orWhere((k) => k.where('limiter_key', key).andWhere('failures', '>=', max));
    })
    .andWhere('window_started_at', '>', new Date(now.getTime() - WINDOW_MS))
    .select('window_started_at');
  if (rows.length === 0) return;
  const until = Math.max(...rows.map((r) => new Date(r.window_started_at).getTime() + WINDOW_MS));
  const seconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  throw new RateLimitedError(
    `too many failed invitation code attempts; try again in ${counted(Math.ceil(seconds / 60), 'minute')}`,
    seconds,
  );
}

/** Counts one failure for each key; a window older than WINDOW_MS starts again at one. */
export async function recordFailure(
  db: Knex,
  orgId: string,
  keys: LimiterKey[],
  now: Date,
): Promise<void> {
  const windowStart = new Date(now.getTime() - WINDOW_MS);
  for (const { key } of keys) {
    await db.raw(
      `insert into code_redeem_failures (org_id, limiter_key, failures, window_started_at) values (?, ?, 1, ?)
       on conflict (org_id, limiter_key) do update set
         failures = case when code_redeem_failures.window_started_at <= ? then 1 else code_redeem_failures.failures + 1 end,
         window_started_at = case when code_redeem_failures.window_started_at <= ? then excluded.window_started_at else code_redeem_failures.window_started_at end`,
      [orgId, key, now, windowStart, windowStart],
    );
  }
}
