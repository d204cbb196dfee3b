import type { Knex } from 'knex';

// Roles a member holds within one group, not in the whole organization: what a code scoped to a
// group grants. This module is the only writer of group_roles; the rows go with the member or the
// group when either is deleted.

export interface GroupRoleGrant {
  roleId: string;
  parameter: string | null;
}

export interface HeldGroupRole {
  memberId: string;
  groupId: string;
  groupName: string;
  roleId: string;
  roleName: string;
  parameter: string | null;
  privileges: string[];
}

/** Grants roles to a member within a group; a role already held there is kept as it is. */
export async function grantGroupRoles(
  trx: Knex.Transaction,
  memberId: string,
  groupId: string,
  grants: GroupRoleGrant[],
): Promise<void> {
  if (grants.length === 0) return;
  await trx('group_roles')
    .insert(
      grants.map((g) => ({
        member_id: memberId,
        group_id: groupId,
        role_id: g.roleId,
        parameter: g.parameter,
      })),
    )
    .onConflict(['member_id', 'group_id', 'role_id'])
    .ignore();
}

/** The roles these members hold within groups, by group name then role name. */
export async function groupRolesOf(
  db: Knex | Knex.Transaction,
  memberIds: string[],
): Promise<HeldGroupRole[]> {
  if (memberIds.length === 0) return [];
  const rows = await heldGroupRoles(db, memberIds);
  return rows.map((r) => ({
    memberId: r.member_id,
    groupId: r.group_id,
    groupName: r.group_name,
    roleId: r.role_id,
    roleName: r.role_name,
    parameter: r.parameter,
    privileges: r.privileges,
  }));
}

/** How many grants within groups name this role (a role still held cannot be deleted). */
export async function countGroupRoleHolders(
  db: Knex | Knex.Transaction,
  roleId: string,
): Promise<number> {
  const row = await db('group_roles').where('role_id', roleId).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

interface HeldGroupRoleRow {
  member_id: string;
  group_id: string;
  group_name: string;
  role_id: string;
  role_name: string;
  parameter: string | null;
  privileges: string[];
}

/** The group roles of these members with their group's and role's names, by group then role name. */
function heldGroupRoles(
  db: Knex | Knex.Transaction,
  memberIds: string[],
): Knex.QueryBuilder<HeldGroupRoleRow, HeldGroupRoleRow[]> {
  return db('group_roles as gr')
    .join('groups as g', 'g.id', 'gr.group_id')
    .join('roles as r', 'r.id', 'gr.role_id')
    .whereIn('gr.member_id', memberIds)
    .orderBy([{ column: 'g.name' }, { column: 'r.name' }])
    .select(
      'gr.member_id',
      'gr.group_id',
      'g.name as group_name',
      'gr.role_id',
      'r.name as role_name',
      'gr.parameter',
      'r.privileges',
    );
}
