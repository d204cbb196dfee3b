import type { Knex } from 'knex';
import { z } from 'zod';
import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { inReach, withinReach } from '../access/reach.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { findOrganization } from '../orgs/organizations.ts';
import { affectedRows } from '../store/affected-rows.ts';
import { parseInput, pageNumber } from '../validation.ts';
import type { InvitationDeps } from './invitation-create.ts';
import {
  type Invitation,
  type InvitationRow,
  type LinkView,
  findInvitationRow,
  openLink,
  presentInvitation,
  selectInvitations,
} from './invitation-record.ts';
import { invitationExpiry, invitationLink, newInvitationToken } from './invitation-rules.ts';

// The invitations table with filters, resend (a fresh token and expiry: the old link
// stops working) and delete (pending only: the invitation stops working and the pending member
// goes, so the username becomes reusable).

const SORTS = {
  createdAt: 'i.created_at',
  expiresAt: 'i.expires_at',
  email: 'i.email',
  status: 'i.status',
  role: 'r.name',
  invitedBy: 'i.invited_by',
} as const;
const sortValues = Object.keys(SORTS).flatMap((k) => [k, `-${k}`]) as [string, ...string[]];

function listSchema(maxPageSize: number) {
  return z
    .object({
      status: z.enum(['pending', 'accepted', 'expired', 'deleted', 'added']).optional(),
      email: z.string().trim().min(1).optional(),
      source: z.string().trim().min(1).optional(),
      sort: z
        .enum(sortValues, { message: `must be one of ${sortValues.join(', ')}` })
        .default('-createdAt'),
      page: pageNumber,
      pageSize: z.coerce
        .number()
        .int()
        .min(1)
        .max(maxPageSize, `must be at most ${maxPageSize}`)
        .default(50),
    })
    .strict();
}

export interface InvitationPage {
  items: Invitation[];
  total: number;
  page: number;
  pageSize: number;
}

/** The invitations table: filters, a sort on any column (newest first by default), pages. */
export async function listInvitations(
  view: LinkView & { db: Knex; maxPageSize: number },
  scope: Scope,
  input: unknown,
  now = new Date(),
): Promise<InvitationPage> {
  const request = parseInput(listSchema(view.maxPageSize), input ?? {});
  const filtered = <Query extends Knex.QueryBuilder>(query: Query): Query => {
    if (request.status === 'expired')
      query.andWhere('i.status', 'pending').andWhere('i.expires_at', '<=', now);
    else if (request.status === 'pending')
      query.andWhere('i.status', 'pending').andWhere('i.expires_at', '>', now);
    else if (request.status) query.andWhere('i.status', request.status);
    if (request.email)
      query.andWhereRaw('lower(i.email) like ?', [
        `%${request.email.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`,
      ]);
    if (request.source) query.andWhere('i.source', request.source);
    return query;
  };
  const descending = request.sort.startsWith('-');
  const column = SORTS[(descending ? request.sort.slice(1) : request.sort) as keyof typeof SORTS];
  const reach = withinReach(scope.actor, 'i.member_id');
  const selected = selectInvitations(view.db, scope.orgId);
  selected.modify(reach);
  const rows = await filtered(selected)
    .orderBy(column, descending ? 'desc' : 'asc')
    .orderBy('i.id', descending ? 'desc' : 'asc')
    .limit(request.pageSize)
    .offset((request.page - 1) * request.pageSize);
  const [counted] = await filtered(
    view
      .db('invitations as i')
      .leftJoin('roles as r', 'r.id', 'i.role_id')
      .where('i.org_id', scope.orgId)
      .modify(reach),
  ).count({ count: '*' });
  return {
    items: rows.map((r) => presentInvitation(r, now, openLink(view, r, now))),
    total: Number(counted?.count ?? 0),
    page: request.page,
    pageSize: request.pageSize,
  };
}

export async function getInvitation(
  view: LinkView & { db: Knex },
  scope: Scope,
  id: string,
  now = new Date(),
): Promise<Invitation> {
  const row = await reachableRow(view.db, scope, id);
  return presentInvitation(row, now, openLink(view, row, now));
}

/** An invitation the actor reaches; out of reach answers as not found. */
async function reachableRow(
  db: Knex | Knex.Transaction,
  scope: Scope,
  id: string,
): Promise<InvitationRow> {
  const row = await findInvitationRow(db, scope.orgId, id);
  if (!(await inReach(db, scope.actor, row.member_id))) throw new NotFoundError('invitation', id);
  return row;
}

function assertOpen(row: InvitationRow, what: string): void {
  if (row.status !== 'pending')
    throw new ConflictError(`only a pending invitation can be ${what}; this one is ${row.status}`, {
      status: row.status,
    });
}

export async function resendInvitation(
  deps: InvitationDeps,
  scope: Scope,
  id: string,
  now = new Date(),
): Promise<Invitation> {
  requireWrite(scope.actor);
  const org = await findOrganization(deps.db, scope.orgId);
  const link = await deps.db.transaction(async (trx) => {
    const row = await reachableRow(trx, scope, id);
    assertOpen(row, 'resent');
    const { token, hash } = newInvitationToken();
    const expiresAt = invitationExpiry(now, org.invitationExpiryDays);
    // Conditional on the status, so that an acceptance racing the resend is not reopened.
    const changed = affectedRows(
      await trx('invitations')
        .where({ id: row.id, status: 'pending' })
        .update({
          token_hash: hash,
          token_sealed: deps.links.seal(token),
          sent_at: now,
          expires_at: expiresAt,
        }),
    );
    if (changed === 0) throw new ConflictError('the invitation was accepted or deleted meanwhile');
    const fresh = invitationLink(deps.publicUrl, token, row.language);
    await enqueueMail(
      trx,
      {
        orgId: scope.orgId,
        invitationId: row.id,
        recipient: row.email,
        template: 'invitation',
        language: row.language,
        data: {
          organization: org.name,
          inviter: row.invited_by,
          role: row.role_name,
          link: fresh,
          message: row.message,
          username: row.username?.startsWith('pending.') ? null : row.username,
          expiresAt: expiresAt.toISOString(),
        },
      },
      deps.links,
    );
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'invitation.resend',
      targetType: 'invitation',
      targetId: row.id,
      after: { expiresAt: expiresAt.toISOString() },
    });
    return fresh;
  });
  return presentInvitation(await findInvitationRow(deps.db, scope.orgId, id), now, link);
}

export async function deleteInvitation(
  db: Knex,
  scope: Scope,
  id: string,
  now = new Date(),
): Promise<Invitation> {
  requireWrite(scope.actor);
  await db.transaction(async (trx) => {
    const row = await reachableRow(trx, scope, id);
    assertOpen(row, 'deleted');
    const changed = affectedRows(
      await trx('invitations')
        .where({ id: row.id, status: 'pending' })
        .update({ status: 'deleted', token_hash: null, token_sealed: null, deleted_at: now }),
    );
    if (changed === 0) throw new ConflictError('the invitation was accepted or deleted meanwhile');
    if (row.member_id)
      await trx('members')
        .where({ id: row.member_id, org_id: scope.orgId, status: 'pending' })
        .delete();
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'invitation.delete',
      targetType: 'invitation',
      targetId: row.id,
      before: { email: row.email, memberId: row.member_id },
    });
  });
  return presentInvitation(await findInvitationRow(db, scope.orgId, id), now, null);
}
