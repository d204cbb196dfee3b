import { rawRows } from '../store/raw-rows.ts';
import type { Knex } from 'knex';
import { isAdministratorRole } from './privileges.ts';
import type { Privilege } from './privileges.ts';
import type { Actor } from './actor.ts';

// What a signed-in member may do on the admin API, decided from their roles at each request (a
// role taken away takes effect at once):
//   organization: a role with the admin privilege, unless every administrator grant they hold
//     is limited to groups (an administrator code of a group) — the whole admin API;
//   scoped: a group administrator (administrator code of a group), or a holder of a role with the
//     manage_members privilege (limited to the groups they belong to, or to the group the role is
//     held in) — members, invitations and codes of those groups only;
//   none: everyone else — only who they are (GET /api/v1/me).

export type MemberAccess =
  | { kind: 'organization' }
  | { kind: 'scoped'; via: 'scope-administrator' | 'privilege'; groupIds: string[] }
  | { kind: 'none' };

interface AccessRow {
  privileges: Privilege[][];
  primary_privileges: Privilege[];
  scopes: Array<string | null>;
  groups: string[];
  group_grants: GroupGrant[];
}

/** The privileges of a role held within one group. */
export interface GroupGrant {
  groupId: string;
  privileges: Privilege[];
}

export async function memberAccess(
  db: Knex | Knex.Transaction,
  orgId: string,
  memberId: string,
): Promise<MemberAccess> {
  const [row] = await rawRows<AccessRow>(
    db,
    `select r.privileges as primary_privileges,
         coalesce((select json_agg(x.privileges) from member_roles mr join roles x on x.id = mr.role_id
                   where mr.member_id = m.id), '[]') as privileges,
         coalesce((select json_agg(sa.group_id) from scope_administrators sa
                   where sa.member_id = m.id and sa.org_id = m.org_id), '[]') as scopes,
         coalesce((select json_agg(ms.group_id) from memberships ms where ms.member_id = m.id), '[]') as groups,
         coalesce((select json_agg(json_build_object('groupId', gr.group_id, 'privileges', x.privileges))
                   from group_roles gr join roles x on x.id = gr.role_id where gr.member_id = m.id), '[]') as group_grants
       from members m join roles r on r.id = m.role_id
       where m.org_id = ? and m.id = ? and m.status = 'active'`,
    [orgId, memberId],
  );
  if (!row) return { kind: 'none' };
  return decideAccess(
    row.primary_privileges,
    row.privileges,
    row.scopes,
    row.groups,
    row.group_grants,
  );
}

/** The rule itself, on plain values. */
export function decideAccess(
  primary: readonly Privilege[],
  additional: ReadonlyArray<readonly Privilege[]>,
  scopes: ReadonlyArray<string | null>,
  groups: readonly string[],
  groupGrants: readonly GroupGrant[] = [],
): MemberAccess {
  const all = [primary, ...additional];
  if (isAdministratorRole({ privileges: [...primary] })) return { kind: 'organization' };
  if (scopes.includes(null)) return { kind: 'organization' };
  const administrator = additional.some((p) => isAdministratorRole({ privileges: [...p] }));
  // An administrator role added without any scope (not through a code) is the organization's.
  if (administrator && scopes.length === 0) return { kind: 'organization' };
  const administered = new Set([
    ...scopes.filter((s): s is string => s !== null),
    ...groupGrants.filter((g) => isAdministratorRole(g)).map((g) => g.groupId),
  ]);
  if (administered.size > 0)
    return { kind: 'scoped', via: 'scope-administrator', groupIds: [...administered] };
  const managedHere = groupGrants.filter((g) => g.privileges.includes('manage_members'));
  if (all.some((p) => p.includes('manage_members')) || managedHere.length > 0) {
    const orgWide = all.some((p) => p.includes('manage_members')) ? groups : [];
    return {
      kind: 'scoped',
      via: 'privilege',
      groupIds: [...new Set([...orgWide, ...managedHere.map((g) => g.groupId)])],
    };
  }
  return { kind: 'none' };
}

/** The actor a member acts as: administrators fully, scoped members with editor access. */
export function memberActor(member: { id: string; username: string }, access: MemberAccess): Actor {
  return {
    type: 'member',
    id: member.id,
    label: member.username,
    access: access.kind === 'organization' ? 'administrator' : 'editor',
    ...(access.kind === 'scoped' && { groupIds: access.groupIds }),
  };
}

/** Whether the organization has an active member with an administrator role (else: `admin create`). */
export async function hasAdministrator(
  db: Knex | Knex.Transaction,
  orgId: string,
): Promise<boolean> {
  const row = await db('members as m')
    .join('roles as r', 'r.id', 'm.role_id')
    .where({ 'm.org_id': orgId, 'm.status': 'active' })
    .andWhereRaw("'admin' = any(r.privileges)")
    .first('m.id');
  return row !== undefined;
}
