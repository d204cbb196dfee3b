import type { Knex } from 'knex';
import { z } from 'zod';
import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ConflictError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { findOrganization } from '../orgs/organizations.ts';
import { affectedRows } from '../store/affected-rows.ts';
import { parseInput } from '../validation.ts';
import type { InvitationDeps } from './invitation-create.ts';
import { type Invitation, type InvitationRow, findInvitationRow, presentInvitation, selectInvitations } from './invitation-record.ts';
import { invitationExpiry, invitationLink, newInvitationToken } from './invitation-rules.ts';

// R-INV-4, 6: the invitations table with filters, resend (a fresh token and expiry: the old link
// stops working) and delete (pending only: the invitation stops working and the pending member
// goes, so the username becomes reusable).

const listSchema = z.object({
  status: z.enum(['pending', 'accepted', 'expired', 'deleted', 'added']).optional(),
  email: z.string().trim().min(1).optional(),
  source: z.string().trim().min(1).optional(),
}).strict();

export async function listInvitations(db: Knex, scope: Scope, input: unknown, now = new Date()): Promise<{ items: Invitation[]; total: number }> {
  const request = parseInput(listSchema, input ?? {});
  const query = selectInvitations(db, scope.orgId).orderBy('i.created_at', 'desc').orderBy('i.id');
  if (request.status === 'expired') query.andWhere('i.status', 'pending').andWhere('i.expires_at', '<=', now);
  else if (request.status === 'pending') query.andWhere('i.status', 'pending').andWhere('i.expires_at', '>', now);
  else if (request.status) query.andWhere('i.status', request.status);
  if (request.email) query.andWhereRaw('lower(i.email) like ?', [`%${request.email.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`]);
  if (request.source) query.andWhere('i.source', request.source);
  const rows = (await query) as InvitationRow[];
  const items = rows.map((r) => presentInvitation(r, now));
  return { items, total: items.length };
}

export async function getInvitation(db: Knex, scope: Scope, id: string, now = new Date()): Promise<Invitation> {
  return presentInvitation(await findInvitationRow(db, scope.orgId, id), now);
}

function assertOpen(row: InvitationRow, what: string): void {
  if (row.status !== 'pending') throw new ConflictError(`only a pending invitation can be ${what}; this one is ${row.status}`, { status: row.status });
}

export async function resendInvitation(deps: InvitationDeps, scope: Scope, id: string, now = new Date()): Promise<Invitation> {
  requireWrite(scope.actor);
  const org = await findOrganization(deps.db, scope.orgId);
  const link = await deps.db.transaction(async (trx) => {
    const row = await findInvitationRow(trx, scope.orgId, id);
    assertOpen(row, 'resent');
    const { token, hash } = newInvitationToken();
    const expiresAt = invitationExpiry(now, org.invitationExpiryDays);
    // Conditional on the status, so that an acceptance racing the resend is not reopened.
    const changed = affectedRows(await trx('invitations').where({ id: row.id, status: 'pending' }).update({ token_hash: hash, sent_at: now, expires_at: expiresAt }));
    if (changed === 0) throw new ConflictError('the invitation was accepted or deleted meanwhile');
    const fresh = invitationLink(deps.publicUrl, token, row.language);
    await enqueueMail(trx, {
      orgId: scope.orgId, invitationId: row.id, recipient: row.email, template: 'invitation', language: row.language,
      data: {
        organization: org.name, inviter: row.invited_by, role: row.role_name, link: fresh, message: row.message,
        username: row.username?.startsWith('pending.') ? null : row.username, expiresAt: expiresAt.toISOString(),
      },
    });
    await recordAudit(trx, { orgId: scope.orgId, actor: scope.actor, action: 'invitation.resend', targetType: 'invitation', targetId: row.id, after: { expiresAt: expiresAt.toISOString() } });
    return fresh;
  });
  return presentInvitation(await findInvitationRow(deps.db, scope.orgId, id), now, link);
}

export async function deleteInvitation(db: Knex, scope: Scope, id: string, now = new Date()): Promise<Invitation> {
  requireWrite(scope.actor);
  await db.transaction(async (trx) => {
    const row = await findInvitationRow(trx, scope.orgId, id);
    assertOpen(row, 'deleted');
    const changed = affectedRows(await trx('invitations').where({ id: row.id, status: 'pending' }).update({ status: 'deleted', token_hash: null, deleted_at: now }));
    if (changed === 0) throw new ConflictError('the invitation was accepted or deleted meanwhile');
    if (row.member_id) await trx('members').where({ id: row.member_id, org_id: scope.orgId, status: 'pending' }).delete();
    await recordAudit(trx, { orgId: scope.orgId, actor: scope.actor, action: 'invitation.delete', targetType: 'invitation', targetId: row.id, before: { email: row.email, memberId: row.member_id } });
  });
  return presentInvitation(await findInvitationRow(db, scope.orgId, id), now);
}
