import type { Knex } from 'knex';
import { type FailureState, type LockoutPolicy, afterFailure } from './lockout-policy.ts';

// Failure counters per organization and login (lower-cased), in the database so that every
// daemon counts the same failures and a restart does not unlock anyone.

const keyOf = (login: string) => login.trim().toLowerCase();

export async function failureState(
  db: Knex,
  orgId: string,
  login: string,
): Promise<FailureState | null> {
  const row = await db('sign_in_failures')
    .where({ org_id: orgId, login_key: keyOf(login) })
    .first('failures', 'locked_until');
  return row
    ? { failures: row.failures as number, lockedUntil: (row.locked_until as Date | null) ?? null }
    : null;
}

export async function recordFailure(
  db: Knex,
  orgId: string,
  login: string,
  policy: LockoutPolicy,
): Promise<FailureState> {
  return db.transaction(async (trx) => {
    const key = keyOf(login);
    // Counters of logins nobody tried for a day are forgotten, so guessed logins do not pile up.
    await trx('sign_in_failures')
      .where('org_id', orgId)
      .andWhere('last_failure_at', '<', new Date(Date.now() - 86_400_000))
      .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', new Date()))
      .delete();
    await trx('sign_in_failures')
      .insert({ org_id: orgId, login_key: key, failures: 0 })
      .onConflict(['org_id', 'login_key'])
      .ignore();
    const row = await trx('sign_in_failures')
      .where({ org_id: orgId, login_key: key })
      .forUpdate()
      .first('failures', 'locked_until');
    const next = afterFailure(
      { failures: row.failures as number, lockedUntil: (row.locked_until as Date | null) ?? null },
      policy,
      new Date(),
    );
    await trx('sign_in_failures').where({ org_id: orgId, login_key: key }).update({
      failures: next.failures,
      locked_until: next.lockedUntil,
      last_failure_at: trx.fn.now(),
    });
    return next;
  });
}

export async function clearFailures(db: Knex, orgId: string, login: string): Promise<void> {
  await db('sign_in_failures')
    .where({ org_id: orgId, login_key: keyOf(login) })
    .delete();
}
