import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit-log.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { settleAcceptedLicenses } from '../licenses/license-grants.ts';
import { createLink } from '../links/identity-links.ts';
import { emailProblem } from '../members/email-rules.ts';
import { enterpriseAccountName } from '../members/enterprise-login.ts';
import { passwordProblem } from '../members/password-policy.ts';
import { usernameProblem } from '../members/username-rules.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import type {
  AcceptedBy,
  InvitationAcceptanceHook,
  PendingInvitation,
} from '../sign-in/invitation-hook.ts';
import { affectedRows } from '../store/affected-rows.ts';
import { type InvitationRow, joinedInvitations, selectInvitations } from './invitation-record.ts';
import { hashInvitationToken, hookMode, looksLikeInvitationToken } from './invitation-rules.ts';

// Accepting an invitation: built in, by choosing a username (unless one was created)
// and a password under the password policy; or through an enterprise sign-in, which calls the
// sign-in issue's hook below. Either way the pending member becomes active, the invitation is
// marked accepted by one conditional update (a second acceptance finds nothing), and a member
// invited for a directory user is linked to that directory identity.

const isPlaceholder = (username: string | null) =>
  username === null || username.startsWith('pending.');

/** The open invitation a link's token opens, or null when it is unknown, expired, accepted or deleted. */
export async function openInvitation(
  db: Knex | Knex.Transaction,
  orgId: string | null,
  token: string,
  now = new Date(),
): Promise<InvitationRow | null> {
  if (!looksLikeInvitationToken(token)) return null;
  const query = joinedInvitations(db)
    .where('i.token_hash', hashInvitationToken(token))
    .andWhere('i.status', 'pending')
    .andWhere('i.expires_at', '>', now);
  if (orgId) query.andWhere('i.org_id', orgId);
  return (await query.first()) ?? null;
}

async function markAccepted(
  trx: Knex.Transaction,
  row: Pick<InvitationRow, 'id' | 'org_id' | 'member_id' | 'source' | 'external_id'>,
  by: AcceptedBy,
  now: Date,
): Promise<void> {
  const changed = affectedRows(
    await trx('invitations')
      .where({ id: row.id, status: 'pending' })
      .update({ status: 'accepted', accepted_at: now, token_hash: null, token_sealed: null }),
  );
  if (changed === 0) throw new ConflictError('this invitation was already accepted or deleted');
  if (row.source && row.external_id && row.member_id) {
    // An invitation sent for an unmatched directory user ties the member to that identity, so
    // that the next sync run matches them.
    await createLink(
      trx,
      row.org_id,
      { memberId: row.member_id, source: row.source, externalId: row.external_id, login: by.login },
      'keep',
    );
  }
}

export const invitationHook: InvitationAcceptanceHook = {
  async find(trx, orgId, token): Promise<PendingInvitation | null> {
    const row = await openInvitation(trx, orgId, token);
    if (!row?.member_id) return null;
    return { id: row.id, email: row.email, mode: hookMode(row.mode), memberId: row.member_id };
  },
  async accept(trx, orgId, invitation, by) {
    const row = (await selectInvitations(trx, orgId).andWhere('i.id', invitation.id).first())!;
    if (isPlaceholder(row.username)) {
      const username = enterpriseAccountName(by.login);
      const taken = await trx('members')
        .where('org_id', orgId)
        .andWhereRaw('lower(username) = lower(?)', [username])
        .andWhereNot('id', invitation.memberId)
        .first('id');
      // Enterprise account names follow enterpriseAccountName, not the built-in username rules.
      if (!taken && username.length <= 128)
        await trx('members').where('id', invitation.memberId).update({ username });
    }
    await markAccepted(trx, row, by, new Date());
    await settleAcceptedLicenses(trx, orgId, invitation.memberId);
  },
};

export interface BuiltInAcceptance {
  token: string;
  username?: string | undefined;
  password: string;
  email?: string | undefined;
}

/** Built-in acceptance: sets username (when not created by the administrator), password and, if allowed, another email. */
export async function acceptBuiltIn(
  deps: { db: Knex; hasher: PasswordHasher },
  input: BuiltInAcceptance,
  now = new Date(),
): Promise<{ memberId: string; orgId: string; username: string }> {
  const row = await openInvitation(deps.db, null, input.token, now);
  if (!row?.member_id) throw new NotFoundError('invitation', 'link');
  if (row.mode === 'organization-logins')
    throw new ValidationError([
      {
        field: 'mode',
        message:
          'this invitation accepts organization logins only: sign in with your organization account',
      },
    ]);
  const username = isPlaceholder(row.username) ? (input.username ?? '').trim() : row.username!;
  const email = row.must_use_invited_email || !input.email ? row.email : input.email.trim();
  const issues = [
    ...(isPlaceholder(row.username)
      ? [usernameProblem(username)].filter(Boolean).map((m) => ({ field: 'username', message: m! }))
      : []),
    ...[passwordProblem(input.password, username)]
      .filter(Boolean)
      .map((m) => ({ field: 'password', message: m! })),
    ...[emailProblem(email)].filter(Boolean).map((m) => ({ field: 'email', message: m! })),
  ];
  if (
    row.must_use_invited_email &&
    input.email &&
    input.email.trim().toLowerCase() !== row.email.toLowerCase()
  ) {
    issues.push({
      field: 'email',
      message: 'this invitation must be accepted with the invited address',
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const passwordHash = await deps.hasher.hash(input.password);
  const memberId = row.member_id;
  await deps.db.transaction(async (trx) => {
    const taken = await trx('members')
      .where('org_id', row.org_id)
      .andWhereRaw('lower(username) = lower(?)', [username])
      .andWhereNot('id', memberId)
      .first('id');
    if (taken)
      throw new ConflictError(`the username "${username}" is already taken in this organization`, {
        field: 'username',
      });
    await trx('members')
      .where({ id: memberId, status: 'pending' })
      .update({
        username,
        email,
        password_hash: passwordHash,
        must_change_password: false,
        status: 'active',
        source: row.source ?? 'builtin',
        updated_at: trx.fn.now(),
      });
    await markAccepted(trx, row, { memberId, source: 'builtin', login: username }, now);
    await settleAcceptedLicenses(trx, row.org_id, memberId);
    await recordAudit(trx, {
      orgId: row.org_id,
      actor: { type: 'member', id: memberId, label: username, access: 'viewer' },
      action: 'invitation.accept',
      targetType: 'member',
      targetId: memberId,
      after: { invitationId: row.id, source: 'builtin', username },
    });
  });
  return { memberId, orgId: row.org_id, username };
}
