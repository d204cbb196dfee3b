import type { Knex } from 'knex';
import { NotFoundError } from '../errors.ts';
import { groupRolesOf } from '../groups/group-roles.ts';
import { independentQueries } from '../store/independent-queries.ts';
import type { MemberRow, MemberStatus } from '../store/tables/members.ts';
import { isUuid } from '../store/uuid.ts';

// How a member is stored and how it is shown. Reads of one member or a page of members load
// roles, groups and links in one query each, never per member.

export interface Member {
  id: string;
  username: string;
  email: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  description: string;
  userType: { id: string; name: string };
  role: { id: string; name: string; parameter: string | null };
  additionalRoles: Array<{ id: string; name: string; parameter: string | null }>;
  /** Roles held within one group only (granted by a code scoped to that group). */
  groupRoles: Array<{
    id: string;
    name: string;
    parameter: string | null;
    group: { id: string; name: string };
  }>;
  status: MemberStatus;
  source: string;
  groups: Array<{ id: string; name: string }>;
  links: Array<{ source: string; externalId: string; login: string | null }>;
  licenses: string[];
  categories: string[];
  /** null means unlimited. */
  credits: number | null;
  settings: Record<string, unknown>;
  /** Profile attributes a directory source maps (department, title, employeeNumber, phone, manager, accountExpires). */
  directory: Record<string, string>;
  hasPassword: boolean;
  mustChangePassword: boolean;
  lastSignInAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The columns a listing needs: everything but the password hash. */
const MEMBER_COLUMNS = [
  'm.id',
  'm.org_id',
  'm.username',
  'm.email',
  'm.first_name',
  'm.last_name',
  'm.display_name',
  'm.description',
  'm.user_type_id',
  'm.role_id',
  'm.role_parameter',
  'm.status',
  'm.source',
  'm.licenses',
  'm.categories',
  'm.credits',
  'm.settings',
  'm.profile',
  'm.must_change_password',
  'm.username_locked',
  'm.last_sign_in_at',
  'm.version',
  'm.created_at',
  'm.updated_at',
  { has_password: 'm.password_hash' },
];

type ListedRow = Omit<MemberRow, 'password_hash'> & {
  has_password: string | null;
  user_type_name: string;
  role_name: string;
};

function iso(value: Date | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

/** Loads the related rows of these members and shapes them for the API. */
export async function presentMembers(
  db: Knex | Knex.Transaction,
  rows: ListedRow[],
): Promise<Member[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [extraRoles, groups, links, heldInGroups] = await independentQueries(db, [
    () =>
      db('member_roles as mr')
        .join('roles as r', 'r.id', 'mr.role_id')
        .whereIn('mr.member_id', ids)
        .select('mr.member_id', 'r.id', 'r.name', 'mr.parameter')
        .orderBy('r.name'),
    () =>
      db('memberships as ms')
        .join('groups as g', 'g.id', 'ms.group_id')
        .whereIn('ms.member_id', ids)
        .select('ms.member_id', 'g.id', 'g.name')
        .orderBy('g.name'),
    () =>
      db('identity_links')
        .whereIn('member_id', ids)
        .select('member_id', 'source', 'external_id', 'login')
        .orderBy('source'),
    () => groupRolesOf(db, ids),
  ]);
  const byMember = <T extends { member_id: string }>(list: T[]) => {
    const map = new Map<string, T[]>();
    for (const item of list) map.set(item.member_id, [...(map.get(item.member_id) ?? []), item]);
    return map;
  };
  const rolesOf = byMember(
    extraRoles as Array<{ member_id: string; id: string; name: string; parameter: string | null }>,
  );
  const groupsOf = byMember(groups as Array<{ member_id: string; id: string; name: string }>);
  const linksOf = byMember(
    links as Array<{
      member_id: string;
      source: string;
      external_id: string;
      login: string | null;
    }>,
  );
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    displayName: r.display_name,
    description: r.description,
    userType: { id: r.user_type_id, name: r.user_type_name },
    role: { id: r.role_id, name: r.role_name, parameter: r.role_parameter },
    additionalRoles: (rolesOf.get(r.id) ?? []).map((x) => ({
      id: x.id,
      name: x.name,
      parameter: x.parameter,
    })),
    groupRoles: heldInGroups
      .filter((g) => g.memberId === r.id)
      .map((g) => ({
        id: g.roleId,
        name: g.roleName,
        parameter: g.parameter,
        group: { id: g.groupId, name: g.groupName },
      })),
    status: r.status,
    source: r.source,
    groups: (groupsOf.get(r.id) ?? []).map((g) => ({ id: g.id, name: g.name })),
    links: (linksOf.get(r.id) ?? []).map((l) => ({
      source: l.source,
      externalId: l.external_id,
      login: l.login,
    })),
    licenses: r.licenses,
    categories: r.categories,
    credits: r.credits === null ? null : Number(r.credits),
    settings: r.settings,
    directory: r.profile?.directory ?? {},
    hasPassword: r.has_password !== null,
    mustChangePassword: r.must_change_password,
    lastSignInAt: iso(r.last_sign_in_at),
    version: r.version,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  }));
}

export function selectMembers(
  db: Knex | Knex.Transaction,
  orgId: string,
): Knex.QueryBuilder<ListedRow, ListedRow[]> {
  return db('members as m')
    .join('user_types as ut', 'ut.id', 'm.user_type_id')
    .join('roles as r', 'r.id', 'm.role_id')
    .where('m.org_id', orgId)
    .select([...MEMBER_COLUMNS, { user_type_name: 'ut.name', role_name: 'r.name' }]);
}

/** A member by id or by username (case-insensitive), in this organization only. */
export async function getMember(
  db: Knex | Knex.Transaction,
  orgId: string,
  ref: string,
): Promise<Member> {
  const query = selectMembers(db, orgId);
  if (isUuid(ref)) query.andWhere('m.id', ref);
  else query.andWhereRaw('lower(m.username) = lower(?)', [ref]);
  const row = await query.first();
  if (!row) throw new NotFoundError('member', ref);
  const [member] = await presentMembers(db, [row]);
  return member!;
}

export type { ListedRow };
