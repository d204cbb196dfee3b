import type { Knex } from 'knex';
import { type FailureState, type LockoutPolicy, afterFailure } from './lockout-policy.ts';

// Failure counters per organization and key (a login, a login at an address, or an address),
// in the database so that every daemon counts the same failures and a restart does not unlock
// anyone; and the addresses each login last signed in from.

const keyOf = (key: string) => key.trim().toLowerCase();

/** How long an address a login signed in from stays known. */
const KNOWN_ADDRESS_DAYS = 30;

const stateOf = (row: { failures: number; locked_until: Date | null; lockouts: number }) => ({
  failures: row.failures,
  lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
  lockouts: row.lockouts,
});

export async function failureState(
  db: Knex,
  orgId: string,
  key: string,
): Promise<FailureState | null> {
  const row = await db('sign_in_failures')
    .where({ org_id: orgId, login_key: keyOf(key) })
    .first('failures', 'locked_until', 'lockouts');
  return row ? stateOf(row) : null;
}

/** The latest time until which one of the keys is locked, or null when none is. */
export async function lockedUntil(
  db: Knex,
  orgId: string,
  keys: string[],
  now: Date,
): Promise<Date | null> {
  const rows = await db('sign_in_failures')
    .where('org_id', orgId)
    .whereIn('login_key', keys.map(keyOf))
    .andWhere('locked_until', '>', now)
    .select('locked_until');
  const until = rows.flatMap((r) => (r.locked_until ? [r.locked_until.getTime()] : []));
  return until.length === 0 ? null : new Date(Math.max(...until));
}

export async function recordFailure(
  db: Knex,
  orgId: string,
  key: string,
  policy: LockoutPolicy,
): Promise<FailureState> {
  return db.transaction(async (trx) => {
    const k = keyOf(key);
    // Counters nobody failed for a day are forgotten, so guessed logins do not pile up.
    await trx('sign_in_failures')
      .where('org_id', orgId)
      .andWhere('last_failure_at', '<', new Date(Date.now() - 86_400_000))
      .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', new Date()))
      .delete();
    await trx('sign_in_failures')
      .insert({ org_id: orgId, login_key: k, failures: 0 })
      .onConflict(['org_id', 'login_key'])
      .ignore();
    const row = await trx('sign_in_failures')
      .where({ org_id: orgId, login_key: k })
      .forUpdate()
      .first('failures', 'locked_until', 'lockouts');
    const next = afterFailure(stateOf(row!), policy, new Date());
    await trx('sign_in_failures').where({ org_id: orgId, login_key: k }).update({
      failures: next.failures,
      locked_until: next.lockedUntil,
      lockouts: next.lockouts,
      last_failure_at: trx.fn.now(),
    });
    return next;
  });
}

export async function clearFailures(db: Knex, orgId: string, ...keys: string[]): Promise<void> {
  await db('sign_in_failures')
    .where('org_id', orgId)
    .whereIn('login_key', keys.map(keyOf))
    .delete();
}

export async function isKnownAddress(
  db: Knex,
  orgId: string,
  login: string,
  address: string,
): Promise<boolean> {
  const row = await db('sign_in_known_addresses')
    .where({ org_id: orgId, login_key: keyOf(login), address })
    .andWhere('last_success_at', '>', new Date(Date.now() - KNOWN_ADDRESS_DAYS * 86_400_000))
    .first('address');
  return row !== undefined;
}

export async function rememberAddress(
  db: Knex,
  orgId: string,
  login: string,
  address: string,
): Promise<void> {
  await db('sign_in_known_addresses')
    .insert({ org_id: orgId, login_key: keyOf(login), address, last_success_at: db.fn.now() })
    .onConflict(['org_id', 'login_key', 'address'])
    .merge(['last_success_at']);
}

/** Takes back one counted failure: the attempt it counted succeeded. */
export async function forgiveFailure(db: Knex, orgId: string, key: string): Promise<void> {
  await db('sign_in_failures')
    .where({ org_id: orgId, login_key: keyOf(key) })
    .andWhere('failures', '>', 0)
    .decrement('failures', 1);
}
