import { type Condition, type Cte, SqlExpression } from '../store/one-statement.ts';

// Writes of one member as parts of a larger statement (see one-statement.ts), for callers that
// write the member, its link and its audit entry in one round trip. Column names come from code,
// never from input.

type Columns = Record<string, unknown>;

const quoted = (column: string) => `"${column}"`;

/** A new member; the part returns its row. A column's value may be an expression. */
export function insertMemberCte(name: string, columns: Columns): Cte {
  const names = Object.keys(columns);
  const values = names.map((column) => columns[column]);
  return {
    name,
    sql: `insert into members (${names.map(quoted).join(', ')}) values (${values.map((value) => (value instanceof SqlExpression ? value.sql : '?')).join(', ')}) returning *`,
    bindings: values.flatMap((value) =>
      value instanceof SqlExpression ? value.bindings : [value],
    ),
  };
}

/**
 * A change to one member, made only while it still has `version` (else the part writes and returns
 * nothing: someone changed it since it was read); its version goes up by one.
 */
export function updateMemberCte(
  name: string,
  member: { orgId: string; id: string; version: number },
  columns: Columns,
): Cte {
  const names = Object.keys(columns);
  return {
    name,
    sql: `update members set ${names.map((column) => `${quoted(column)} = ?`).join(', ')}, version = version + 1
      where id = ? and org_id = ? and version = ? returning *`,
    bindings: [...names.map((column) => columns[column]), member.id, member.orgId, member.version],
  };
}

/**
 * A condition, for a part of a statement, that every one of `ids` is a member of the organization.
 * One id (the usual SCIM PATCH) is compared as a value: see `addMembershipsCte` in
 * groups/group-statements.ts.
 */
export function allMembersOf(orgId: string, ids: readonly string[]): Condition {
  if (ids.length === 1)
    return {
      sql: 'exists (select 1 from members where org_id = ? and id = ?::uuid)',
      bindings: [orgId, ids[0]],
    };
  return {
    sql: '(select count(*) from members where org_id = ? and id = any(?::uuid[])) = ?',
    bindings: [orgId, ids, ids.length],
  };
}
