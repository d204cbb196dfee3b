import type { Knex } from 'knex';
import { DomainError } from '../errors.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import type { NewMember } from '../sync/user-store.ts';
import type { ReactionContext, UnmatchedReaction } from '../sync/reactions.ts';
import { createInvitations } from './invitation-create.ts';
import { resendInvitation } from './invitation-manage.ts';
import type { ConfiguredSource } from './invitation-rules.ts';
import type { LinkSealer } from './link-sealer.ts';

// The sync engine's `invite` reaction: a directory user who matches no
// member and has an email gets one invitation, tagged with the source and the directory
// identity; while it is open (or once the address was added directly) the user gets no other,
// however often the sync runs. Once it has expired, it is re-issued (resent: a fresh link and
// expiry, a new mail) only if the source says so (`reinviteAfterExpiry`). Accepting it links the
// member to the identity (invitation-acceptance.ts), so the next run matches them.

interface InviteDeps {
  hasher: PasswordHasher;
  links: LinkSealer;
  publicUrl: () => string;
  sources(orgId: string): ReadonlyArray<ConfiguredSource>;
}

type Outcome = { record: NewMember; reason: string; unchanged?: boolean };

/** The invitation a directory user already has: still standing, or pending past its expiry. */
type Earlier = { kind: 'standing' } | { kind: 'expired'; id: string; email: string };

export function inviteReaction(deps: InviteDeps): UnmatchedReaction {
  return {
    name: 'invite',
    count: 'invited',
    async apply(trx, ctx, records) {
      if (records.length === 0) return [];
      const earlier = await earlierInvitations(
        trx,
        ctx,
        records.map((r) => r.externalId),
      );
      const outcomes: Outcome[] = [];
      for (const record of records) {
        const outcome = await react(deps, trx, ctx, record, earlier.get(record.externalId));
        if (outcome) outcomes.push(outcome);
      }
      return outcomes;
    },
  };
}

async function react(
  deps: InviteDeps,
  trx: Knex.Transaction,
  ctx: ReactionContext,
  record: NewMember,
  earlier: Earlier | undefined,
): Promise<Outcome | null> {
  if (earlier?.kind === 'standing') return { record, reason: 'already invited', unchanged: true };
  if (earlier && !ctx.reinviteAfterExpiry)
    return {
      record,
      reason: 'the invitation expired; the source does not re-issue it (reinviteAfterExpiry)',
      unchanged: true,
    };
  if (!record.member.email)
    return { record, reason: 'the directory gives no email to send the invitation to' };
  // A fresh link goes only to the address the directory still gives: the old one may no longer
  // be this person's.
  if (earlier && earlier.email.toLowerCase() !== record.member.email.toLowerCase()) {
    return {
      record,
      reason: `the expired invitation was sent to ${earlier.email}, but the directory now gives ${record.member.email}; delete that invitation for the next run to invite the new address`,
    };
  }
  const invitationDeps = {
    db: trx,
    hasher: deps.hasher,
    links: deps.links,
    publicUrl: deps.publicUrl(),
    sources: deps.sources,
  };
  const scope = { orgId: ctx.orgId, actor: ctx.actor };
  try {
    // Both open their own transaction, which inside the run's is a savepoint: a refusal undoes
    // this one record, and the rest of the batch goes on.
    if (earlier) await resendInvitation(invitationDeps, scope, earlier.id, ctx.now);
    else {
      await createInvitations(
        invitationDeps,
        scope,
        {
          email: record.member.email,
          firstName: record.member.firstName,
          lastName: record.member.lastName,
          source: ctx.source,
          externalId: record.externalId,
        },
        ctx.now,
      );
    }
    return null;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { record, reason: error.message };
  }
}

async function earlierInvitations(
  trx: Knex.Transaction,
  ctx: ReactionContext,
  externalIds: string[],
): Promise<Map<string, Earlier>> {
  const rows = await trx('invitations')
    .where({ org_id: ctx.orgId, source: ctx.source })
    .whereIn('external_id', externalIds)
    .whereIn('status', ['pending', 'added'])
    .select('id', 'external_id', 'status', 'email', 'expires_at');
  const earlier = new Map<string, Earlier>();
  for (const row of rows) {
    if (row.external_id === null) continue; // matched by external_id: never null
    // An address added directly stands for good; a pending one (at most one per identity) until it expires.
    const standing =
      row.status === 'added' || new Date(row.expires_at).getTime() > ctx.now.getTime();
    if (standing) earlier.set(row.external_id, { kind: 'standing' });
    else if (earlier.get(row.external_id)?.kind !== 'standing')
      earlier.set(row.external_id, { kind: 'expired', id: row.id, email: row.email });
  }
  return earlier;
}
