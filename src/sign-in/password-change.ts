import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit-log.ts';
import { ValidationError } from '../errors.ts';
import { passwordProblem } from '../members/password-policy.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import { clearPasswordChange, revokeMemberSessions, type Session } from './sessions.ts';

// A signed-in member changes the password (required first when it was temporary). The current
// password is asked again; the new one follows the password policy; other sessions are revoked.

export async function changeOwnPassword(
  deps: { db: Knex; hasher: PasswordHasher },
  session: Session,
  current: string,
  next: string,
): Promise<void> {
  const row = await deps
    .db('members')
    .where({ id: session.memberId, org_id: session.orgId })
    .first('password_hash', 'username');
  if (!row?.password_hash)
    throw ValidationError.field(
      'currentPassword',
      'this account has no password here: it signs in through its identity provider',
    );
  if (!(await deps.hasher.verify(row.password_hash, current)))
    throw ValidationError.field('currentPassword', 'is wrong');
  if (next === current)
    throw ValidationError.field('newPassword', 'must differ from the current password');
  const problem = passwordProblem(next, row.username);
  if (problem) throw ValidationError.field('newPassword', problem);
  const hash = await deps.hasher.hash(next);
  await deps.db.transaction(async (trx) => {
    await trx('members')
      .where({ id: session.memberId })
      .update({
        password_hash: hash,
        must_change_password: false,
        version: trx.raw('version + 1'),
        updated_at: trx.fn.now(),
      });
    await clearPasswordChange(trx, session.id);
    await revokeMemberSessions(trx, session.memberId, session.id);
    await recordAudit(trx, {
      orgId: session.orgId,
      actor: { type: 'member', id: session.memberId, label: session.username, access: 'viewer' },
      action: 'member.password-change',
      targetType: 'member',
      targetId: session.memberId,
    });
  });
}
