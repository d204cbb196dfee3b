import type { Knex } from 'knex';
import { rawRows } from '../store/raw-rows.ts';
import type { Scope } from '../access/actor.ts';
import { type SharedMemberFields, bulkInsertMembers } from '../members/member-bulk-insert.ts';
import { assertWithinMembershipLimit } from '../members/member-rules.ts';
import type { Organization } from '../orgs/organizations.ts';
import type { LinkSealer } from './link-sealer.ts';
import { sealedMailData } from '../mail/outbox.ts';
import {
  type MailLanguage,
  invitationExpiry,
  invitationLink,
  newInvitationToken,
  placeholderUsername,
} from './invitation-rules.ts';

// The one write path of new email invitations, for one address or a whole import batch: the
// pending members (with the organization's defaults), their invitations, the mails announcing
// them and the audit entries, in two statements inside the caller's transaction, whatever the
// number of addresses. Addresses whose pre-created username is already taken get nothing.

export type SentInvitationMode = 'any-account' | 'organization-logins' | 'add-and-notify';

export interface Invitee {
  email: string;
  /** add-and-notify creates this username now (and locks it); the other modes let the invitee choose. */
  username: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  userTypeId: string;
  role: { id: string; name: string };
  roleParameter?: string | null;
  /** The directory identity an invitation of the sync's `invite` reaction is tied to. */
  externalId?: string | null;
}

export interface InvitationBatch {
  mode: SentInvitationMode;
  /** The invitations give no role: the members get the defaults for new members only. */
  withoutRole?: boolean;
  language: MailLanguage;
  message: string | null;
  mustUseInvitedEmail: boolean;
  /** The member's source (and the invitation's, for directory users); builtin when absent. */
  source: string | null;
  publicUrl: string;
  links: LinkSealer;
  now: Date;
}

export interface WrittenInvitation {
  id: string;
  memberId: string;
  email: string;
  link: string;
}

export async function writeInvitations(
  trx: Knex.Transaction,
  scope: Scope,
  org: Organization,
  batch: InvitationBatch,
  invitees: Invitee[],
  shared: SharedMemberFields,
): Promise<{ written: WrittenInvitation[]; taken: Invitee[] }> {
  if (invitees.length === 0) return { written: [], taken: [] };
  await assertWithinMembershipLimit(trx, scope.orgId, invitees.length);
  const usernames = invitees.map((i) => i.username ?? placeholderUsername());
  const added = await bulkInsertMembers(
    trx,
    scope.orgId,
    scope.actor,
    invitees.map((i, n) => ({
      username: usernames[n]!,
      email: i.email,
      firstName: i.firstName,
      lastName: i.lastName,
      displayName: i.displayName,
      userTypeId: i.userTypeId,
      roleId: i.role.id,
      roleParameter: i.roleParameter ?? null,
      status: 'pending',
      source: batch.source ?? 'builtin',
    })),
    { ...shared, usernameLocked: batch.mode === 'add-and-notify' },
  );
  const memberIds = new Map(added.map((a) => [a.username.toLowerCase(), a.id]));
  const expiresAt = invitationExpiry(batch.now, org.invitationExpiryDays);
  const rows: Array<{
    invitee: Invitee;
    memberId: string;
    tokenHex: string;
    sealedHex: string;
    link: string;
    mail: string;
  }> = [];
  const taken: Invitee[] = [];
  invitees.forEach((invitee, n) => {
    const memberId = memberIds.get(usernames[n]!.toLowerCase());
    if (memberId === undefined) {
      taken.push(invitee);
      return;
    }
    const { token, hash } = newInvitationToken();
    const link = invitationLink(batch.publicUrl, token, batch.language);
    const mail = JSON.stringify(
      sealedMailData(
        {
          organization: org.name,
          inviter: scope.actor.label,
          role: batch.withoutRole ? null : invitee.role.name,
          link,
          message: batch.message,
          username: invitee.username,
          expiresAt: expiresAt.toISOString(),
        },
        batch.links,
      ),
    );
    rows.push({
      invitee,
      memberId,
      tokenHex: hash.toString('hex'),
      sealedHex: batch.links.seal(token).toString('hex'),
      link,
      mail,
    });
  });
  if (rows.length === 0) return { written: [], taken };
  // The audit entry copies only what identifies the invitation, never the mail's data.
  const inserted = await rawRows<{ id: string; member_id: string }>(
    trx,
    `with inv as (
       insert into invitations (org_id, member_id, email, role_id, mode, must_use_invited_email, language, message, token_hash, token_sealed,
                                status, invited_by, source, external_id, created_at, sent_at, expires_at)
       select ?::uuid, t.member_id, t.email, t.role_id, ?, ?, ?, ?, decode(t.token_hex, 'hex'), decode(t.sealed_hex, 'hex'), 'pending', ?, ?, t.external_id, ?, ?, ?
       from unnest(?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::text[], ?::text[]) as t(member_id, email, role_id, token_hex, sealed_hex, external_id)
       returning id, member_id, email
     ), joined as (
       select inv.id, inv.member_id, inv.email, d.mail::jsonb as mail
       from inv join unnest(?::uuid[], ?::text[]) as d(member_id, mail) on d.member_id = inv.member_id
     ), mailed as (
       insert into mail_outbox (org_id, invitation_id, recipient, template, language, data)
       select ?::uuid, id, email, 'invitation', ?, mail from joined
     ), logged as (
       insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, after)
       select ?::uuid, ?, ?, ?, 'invitation.create', 'invitation', id::text,
              jsonb_build_object('email', email, 'role', mail->>'role', 'mode', ?::text, 'memberId', member_id) from joined
     )
     select id, member_id from inv`,
    [
      scope.orgId,
      batch.mode,
      batch.mustUseInvitedEmail,
      batch.language,
      batch.message,
      scope.actor.label,
      batch.source,
      batch.now,
      batch.now,
      expiresAt,
      rows.map((r) => r.memberId),
      rows.map((r) => r.invitee.email),
      rows.map((r) => (batch.withoutRole ? null : r.invitee.role.id)),
      rows.map((r) => r.tokenHex),
      rows.map((r) => r.sealedHex),
      rows.map((r) => r.invitee.externalId ?? null),
      rows.map((r) => r.memberId),
      rows.map((r) => r.mail),
      scope.orgId,
      batch.language,
      scope.orgId,
      scope.actor.type,
      scope.actor.id,
      scope.actor.label,
      batch.mode,
    ] as Knex.RawBinding[],
  );
  const byMember = new Map(rows.map((r) => [r.memberId, r]));
  const written = inserted.map((r) => {
    const row = byMember.get(r.member_id)!;
    return { id: r.id, memberId: r.member_id, email: row.invitee.email, link: row.link };
  });
  return { written, taken };
}
