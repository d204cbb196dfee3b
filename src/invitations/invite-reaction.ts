import type { Knex } from 'knex';
import { DomainError } from '../errors.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import type { NewMember } from '../sync/user-store.ts';
import type { UnmatchedReaction } from '../sync/reactions.ts';
import { createInvitations } from './invitation-create.ts';

// The sync engine's `invite` reaction (R-SYNC-2, issue 6 §5): a directory user who matches no
// member and has an email gets one invitation, tagged with the source and the directory
// identity; while it is open (or once the address was added directly) the user gets no other,
// however often the sync runs. Accepting it links the member to the identity
// (invitation-acceptance.ts), so the next run matches them.

export function inviteReaction(deps: { hasher: PasswordHasher; publicUrl: () => string }): UnmatchedReaction {
  return {
    name: 'invite',
    count: 'invited',
    async apply(trx, ctx, records) {
      if (records.length === 0) return [];
      const already = await alreadyInvited(trx, ctx.orgId, ctx.source, records.map((r) => r.externalId));
      const outcomes: Array<{ record: NewMember; reason: string; unchanged?: boolean }> = [];
      for (const record of records) {
        if (already.has(record.externalId)) {
          outcomes.push({ record, reason: 'already invited', unchanged: true });
          continue;
        }
        if (!record.member.email) {
          outcomes.push({ record, reason: 'the directory gives no email to send the invitation to' });
          continue;
        }
        try {
          await createInvitations({ db: trx, hasher: deps.hasher, publicUrl: deps.publicUrl() }, { orgId: ctx.orgId, actor: ctx.actor }, {
            email: record.member.email, firstName: record.member.firstName, lastName: record.member.lastName,
            source: ctx.source, externalId: record.externalId,
          });
        } catch (error) {
          // A savepoint undid this one record; the rest of the batch goes on.
          if (!(error instanceof DomainError)) throw error;
          outcomes.push({ record, reason: error.message });
        }
      }
      return outcomes;
    },
  };
}

async function alreadyInvited(trx: Knex.Transaction, orgId: string, source: string, externalIds: string[]): Promise<Set<string>> {
  const rows = (await trx('invitations').where({ org_id: orgId, source }).whereIn('external_id', externalIds).whereIn('status', ['pending', 'added'])
    .select('external_id')) as Array<{ external_id: string }>;
  return new Set(rows.map((r) => r.external_id));
}
