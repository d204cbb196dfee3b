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

/**
 * Memberships of `memberIds` in the group (those it has are kept as they are), only if `gate` wrote.
 *
 * One member, the usual SCIM PATCH, is a value rather than an array. PostgreSQL plans a prepared
 * statement for each run until the plan it would keep for all runs (made without the values) looks
 * no costlier, and it takes an array it cannot see for ten elements: with the array, the statement
 * of a one-member PATCH was planned again on every run, reading the size of each table and index it
 * touches (on the embedded database, a file system call through JavaScript for each).
 * @see https://www.postgresql.org/docs/current/sql-prepare.html#SQL-PREPARE-NOTES
 */
export function addMembershipsCte(
  name: string,
  groupId: string,
  memberIds: readonly string[],
  gate: string,
): Cte {
  const one = memberIds.length === 1;
  return {
    name,
    sql: `insert into memberships (group_id, member_id) select ?::uuid, ${one ? '?::uuid' : 'unnest(?::uuid[])'} where ${existsIn(gate)}
      on conflict do nothing`,
    bindings: [groupId, one ? memberIds[0] : memberIds],
  };
}
