import type { Knex } from 'knex';
import { type Scope, requireAdministrator } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { getMember } from '../members/member-record.ts';
import { passwordProblem } from '../members/password-policy.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import { affectedRows } from '../store/affected-rows.ts';
import { hashToken, newToken, tokenMatches } from './session-token.ts';

// A one-time setup link lets a built-in member (the first administrator, made by
// `provisiond admin create`) choose their own password: 256 random bits, kept as a SHA-256 only,
// spent on first use, expiring, and replaced by a newer link for the same member.

export const SETUP_PATH = '/auth/setup';
const PREFIX = 'pvd_setup_';

export interface IssuedSetupLink {
  memberId: string;
  username: string;
  /** The token, returned once; the link is `${publicUrl}${SETUP_PATH}?token=…`. */
  token: string;
  expiresAt: string;
}

export async function issueSetupLink(
  db: Knex,
  scope: Scope,
  memberRef: string,
  hours: number,
): Promise<IssuedSetupLink> {
  requireAdministrator(scope.actor, 'creating a setup link');
  if (!Number.isFinite(hours) || hours < 0.1 || hours > 24 * 14)
    throw ValidationError.field('expiresInHours', 'must be between 0.1 and 336 hours');
  const member = await getMember(db, scope.orgId, memberRef);
  if (member.source !== 'builtin')
    throw new ConflictError(
      `${member.username} signs in through ${member.source}; a setup link sets a built-in password`,
    );
  if (member.status !== 'active')
    throw new ConflictError(`${member.username} is ${member.status}; enable the member first`);
  const token = `${PREFIX}${newToken().token}`;
  const expiresAt = new Date(Date.now() + hours * 3_600_000);
  await db.transaction(async (trx) => {
    await trx('setup_links').where({ member_id: member.id }).whereNull('used_at').delete();
    await trx('setup_links').insert({
      org_id: scope.orgId,
      member_id: member.id,
      token_hash: hashToken(token),
      expires_at: expiresAt,
    });
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'member.setup-link',
      targetType: 'member',
      targetId: member.id,
      after: { expiresAt: expiresAt.toISOString() },
    });
  });
  return {
    memberId: member.id,
    username: member.username,
    token,
    expiresAt: expiresAt.toISOString(),
  };
}

interface LinkRow {
  id: string;
  org_id: string;
  member_id: string;
  token_hash: Uint8Array;
  username: string;
}

/** Links neither used nor expired whose member is active, with the member's username. */
function liveLinks(db: Knex | Knex.Transaction): Knex.QueryBuilder<LinkRow, LinkRow[]> {
  return db('setup_links as l')
    .join('members as m', 'm.id', 'l.member_id')
    .whereNull('l.used_at')
    .andWhere('l.expires_at', '>', new Date())
    .andWhere('m.status', 'active')
    .select('l.id', 'l.org_id', 'l.member_id', 'l.token_hash', 'm.username');
}

async function openLink(db: Knex | Knex.Transaction, token: string): Promise<LinkRow | null> {
  if (!token.startsWith(PREFIX)) return null;
  const row = await liveLinks(db).andWhere('l.token_hash', hashToken(token)).first();
  return row && tokenMatches(token, row.token_hash) ? row : null;
}

/** The member a live link is for, or null (unknown, used, expired, member disabled). */
export async function setupLinkMember(
  db: Knex,
  token: string,
): Promise<{ orgId: string; memberId: string; username: string } | null> {
  const row = await openLink(db, token);
  return row ? { orgId: row.org_id, memberId: row.member_id, username: row.username } : null;
}

/** Spends the link and sets the member's password; refused links and weak passwords change nothing. */
export async function completeSetup(
  deps: { db: Knex; hasher: PasswordHasher },
  token: string,
  password: string,
): Promise<{ orgId: string; memberId: string; username: string }> {
  const link = await openLink(deps.db, token);
  if (!link) throw new NotFoundError('setup link', 'the link');
  const problem = passwordProblem(password, link.username);
  if (problem) throw ValidationError.field('password', problem);
  const hash = await deps.hasher.hash(password);
  return deps.db.transaction(async (trx) => {
    const spent = affectedRows(
      await trx('setup_links')
        .where({ id: link.id })
        .whereNull('used_at')
        .update({ used_at: trx.fn.now() }),
    );
    if (spent !== 1) throw new NotFoundError('setup link', 'the link');
    await trx('members')
      .where({ id: link.member_id })
      .update({
        password_hash: hash,
        must_change_password: false,
        version: trx.raw('version + 1'),
        updated_at: trx.fn.now(),
      });
    await recordAudit(trx, {
      orgId: link.org_id,
      actor: { type: 'member', id: link.member_id, label: link.username, access: 'viewer' },
      action: 'member.setup-complete',
      targetType: 'member',
      targetId: link.member_id,
    });
    return { orgId: link.org_id, memberId: link.member_id, username: link.username };
  });
}
