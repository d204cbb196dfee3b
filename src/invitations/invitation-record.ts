import type { Knex } from 'knex';
import type { InvitationRow as InvitationTableRow } from '../store/tables/invitations.ts';
import { NotFoundError } from '../errors.ts';
import { isUuid } from '../store/uuid.ts';
import {
  type InvitationStatus,
  type MailLanguage,
  invitationLink,
  invitationStatus,
} from './invitation-rules.ts';
import type { LinkSealer } from './link-sealer.ts';

// How an invitation is read and shown (id, inviter, invitee email, role, created,
// expires, status, and the copyable link while the invitation can be accepted). The link's token
// is stored hashed (to find the invitation) and sealed (to show the link again: link-sealer.ts).

export interface Invitation {
  id: string;
  email: string;
  /** null: the invitation gives no role (the member has the defaults for new members). */
  role: string | null;
  mode: string;
  status: InvitationStatus;
  invitedBy: string;
  createdAt: string;
  sentAt: string;
  expiresAt: string | null;
  acceptedAt: string | null;
  memberId: string | null;
  username: string | null;
  language: MailLanguage;
  mustUseInvitedEmail: boolean;
  source: string | null;
  link: string | null;
}

/** An invitation with its role's name and its member's username, as selectInvitations reads it. */
export interface InvitationRow extends InvitationTableRow {
  role_name: string | null;
  username: string | null;
}

type InvitationQuery = Knex.QueryBuilder<InvitationRow, InvitationRow[]>;

export function selectInvitations(db: Knex | Knex.Transaction, orgId: string): InvitationQuery {
  return joinedInvitations(db).where('i.org_id', orgId);
}

/** Invitations joined to their role's name and their member's username. */
export function joinedInvitations(db: Knex | Knex.Transaction): InvitationQuery {
  return db('invitations as i')
    .leftJoin('roles as r', 'r.id', 'i.role_id')
    .leftJoin('members as m', 'm.id', 'i.member_id')
    .select('i.*', 'r.name as role_name', 'm.username');
}

/** Where links are opened: the key that sealed them and the daemon's public URL. */
export interface LinkView {
  links: LinkSealer;
  publicUrl: string;
}

/** The link of an invitation that can still be accepted; null otherwise, or when sealed under another key. */
export function openLink(view: LinkView, row: InvitationRow, now: Date): string | null {
  if (
    row.status !== 'pending' ||
    !row.token_sealed ||
    new Date(row.expires_at).getTime() <= now.getTime()
  )
    return null;
  const token = view.links.open(row.token_sealed);
  return token === null ? null : invitationLink(view.publicUrl, token, row.language);
}

export function presentInvitation(row: InvitationRow, now: Date, link: string | null): Invitation {
  const added = row.status === 'added';
  return {
    id: row.id,
    email: row.email,
    role: row.role_name,
    mode: row.mode,
    status: invitationStatus({ status: row.status, expiresAt: new Date(row.expires_at) }, now),
    invitedBy: row.invited_by,
    createdAt: new Date(row.created_at).toISOString(),
    sentAt: new Date(row.sent_at).toISOString(),
    expiresAt: added ? null : new Date(row.expires_at).toISOString(),
    acceptedAt: row.accepted_at ? new Date(row.accepted_at).toISOString() : null,
    memberId: row.member_id,
    username: row.username?.startsWith('pending.') ? null : row.username,
    language: row.language,
    mustUseInvitedEmail: row.must_use_invited_email,
    source: row.source,
    link,
  };
}

export async function findInvitationRow(
  db: Knex | Knex.Transaction,
  orgId: string,
  id: string,
): Promise<InvitationRow> {
  const row = isUuid(id)
    ? ((await selectInvitations(db, orgId).andWhere('i.id', id).first()) as
        | InvitationRow
        | undefined)
    : undefined;
  if (!row) throw new NotFoundError('invitation', id);
  return row;
}
