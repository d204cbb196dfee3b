import type { Knex } from 'knex';
import type { LocalAccount } from '../plugin-api.ts';

/** The account a built-in sign-in checks: found by username, without regard to case. */
export async function findLocalAccount(
  db: Knex,
  orgId: string,
  login: string,
): Promise<LocalAccount | null> {
  const row = await db('members')
    .where('org_id', orgId)
    .andWhereRaw('lower(username) = lower(?)', [login])
    .first('id', 'username', 'status', 'password_hash', 'must_change_password');
  if (!row) return null;
  return {
    memberId: row.id,
    username: row.username,
    status: row.status,
    passwordHash: row.password_hash,
    mustChangePassword: row.must_change_password,
  };
}
