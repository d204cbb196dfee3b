import type { Knex } from 'knex';
import type { Actor } from './actor.ts';
import { ForbiddenError } from '../errors.ts';

// What a member limited to some groups (a scope administrator, a holder of manage_members)
// reaches: the members of those groups, and the invitations whose invitee was put in one of
// them. Everyone else reaches the whole organization. Out of reach answers as not found, so that
// a limited member cannot probe for members of other groups.

/** Narrows a query over `members as <alias>` to the actor's reach (nothing for an unlimited actor). */
export function withinReach(actor: Actor, memberIdColumn = 'm.id') {
  return (q: Knex.QueryBuilder): void => {
    const groups = actor.groupIds;
    if (!groups) return;
    if (groups.length === 0) {
      q.whereRaw('false');
      return;
    }
    q.whereExists(function () {
      this.select(this.client.raw('1'))
        .from('memberships as reach')
        .whereRaw(`reach.member_id = ${memberIdColumn}`)
        .whereIn('reach.group_id', groups);
    });
  };
}

/** Whether the member is within the actor's reach (always, for an unlimited actor). */
export async function inReach(
  db: Knex | Knex.Transaction,
  actor: Actor,
  memberId: string | null,
): Promise<boolean> {
  const groups = actor.groupIds;
  if (!groups) return true;
  if (!memberId || groups.length === 0) return false;
  return Boolean(
    await db('memberships').where('member_id', memberId).whereIn('group_id', groups).first(),
  );
}

/** Refuses groups outside the reach; a limited actor must name at least one of theirs. */
export function assertGroupsInReach(
  actor: Actor,
  groupIds: readonly string[],
  field: string,
): void {
  const groups = actor.groupIds;
  if (!groups) return;
  if (groupIds.length === 0)
    throw new ForbiddenError(
      `${field}: name at least one of the groups you administer; you act within them only`,
    );
  if (groupIds.some((id) => !groups.includes(id)))
    throw new ForbiddenError(`${field}: you act only within the groups you administer`);
}
