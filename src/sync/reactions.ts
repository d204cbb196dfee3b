import type { Knex } from 'knex';
import type { Actor } from '../access/actor.ts';
import type { SharedMemberFields } from '../members/member-bulk-insert.ts';
import type { CountKey } from './sync-types.ts';
import { type NewMember, applyCreates } from './user-store.ts';

// What the engine does with a directory user that matches no member (`onUnmatched`). `create`
// and `ignore` are the engine's own; the invitations feature's `invite` reaction
// (src/invitations/invite-reaction.ts) comes in through the run's dependencies (SyncDeps.reactions).

export interface ReactionContext {
  orgId: string;
  source: string;
  actor: Actor;
  defaults: { userTypeId: string; roleId: string };
  /** The organization's other defaults for new members: groups, licences, categories, credits, settings. */
  shared: SharedMemberFields;
  /** The source's `reinviteAfterExpiry`: whether an expired invitation is sent again. */
  reinviteAfterExpiry: boolean;
  /** The run's clock: what the reaction writes is dated by it, and expiry is judged against it. */
  now: Date;
}

export interface UnmatchedReaction {
  readonly name: string;
  /** The count the plan adds each record to (created, invited, ignored). */
  readonly count: CountKey;
  /**
   * Applies the reaction; records it could not handle come back with the reason, and records it
   * had nothing to do for (an invitation already open, or expired and not to be re-issued) come
   * back marked `unchanged`.
   */
  apply(
    trx: Knex.Transaction,
    ctx: ReactionContext,
    records: NewMember[],
  ): Promise<Array<{ record: NewMember; reason: string; unchanged?: boolean }>>;
}

const create: UnmatchedReaction = {
  name: 'create',
  count: 'created',
  async apply(trx, ctx, records) {
    const { taken } = await applyCreates(
      trx,
      ctx.orgId,
      ctx.source,
      ctx.actor,
      records,
      ctx.defaults,
      ctx.shared,
    );
    return taken.map((record) => ({
      record,
      reason: `the username ${record.member.username} is taken by a member this source does not correlate with`,
    }));
  },
};

const ignore: UnmatchedReaction = { name: 'ignore', count: 'ignored', apply: async () => [] };

/** The reaction called `name`: one of the engine's, or of those the run was given. */
export function unmatchedReaction(
  name: string,
  given: readonly UnmatchedReaction[],
): UnmatchedReaction {
  const reaction = [create, ignore, ...given].find((r) => r.name === name);
  if (!reaction) throw new Error(`no "${name}" reaction for unmatched records is available`);
  return reaction;
}
