import { type Condition, type Cte, existsIn } from '../store/one-statement.ts';

// Writes of one group as parts of a larger statement (see one-statement.ts): a SCIM PATCH that
// adds members bumps the group, inserts the memberships and audits in one round trip.

/**
 * The group's version goes up by one, only while it still has `version` and `condition` holds
 * (else the part writes and returns nothing); returns the new version.
 */
export function bumpGroupVersionCte(
  name: string,
  group: { orgId: string; id: string; version: number },
  condition: Condition,
): Cte {
  return {
    name,
    sql: `update groups set version = version + 1, updated_at = now()
      where id = ? and org_id = ? and version = ? and ${condition.sql} returning version`,
    bindings: [group.id, group.orgId, group.version, ...condition.bindings],
  };
}

/** Memberships of `memberIds` in the group (those it has are kept as they are), only if `gate` wrote. */
export function addMembershipsCte(
  name: string,
  groupId: string,
  memberIds: readonly string[],
  gate: string,
): Cte {
  return {
    name,
    sql: `insert into memberships (group_id, member_id) select ?::uuid, unnest(?::uuid[]) where ${existsIn(gate)}
      on conflict do nothing`,
    bindings: [groupId, memberIds],
  };
}
