import type { Column, Table } from './column-types.ts';

// Members, their groups and roles, and the directory records they are linked to.

export type MemberStatus = 'pending' | 'active' | 'disabled';

export interface MemberRow {
  id: string;
  org_id: string;
  username: string;
  email: string | null;
  first_name: string;
  last_name: string;
  display_name: string;
  description: string;
  user_type_id: string;
  role_id: string;
  role_parameter: string | null;
  status: MemberStatus;
  source: string;
  licenses: string[];
  categories: string[];
  /** numeric(14,2), as PostgreSQL prints it. */
  credits: string | null;
  settings: Column<'members.settings', Record<string, unknown>>;
  profile: Column<'members.profile', Record<string, unknown>>;
  password_hash: string | null;
  must_change_password: boolean;
  username_locked: boolean;
  last_sign_in_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface MemberRoleRow {
  member_id: string;
  role_id: string;
  parameter: string | null;
}

export interface GroupRow {
  id: string;
  org_id: string;
  name: string;
  description: string;
  source: string;
  external_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface MembershipRow {
  group_id: string;
  member_id: string;
  created_at: Date;
}

/** A role held within one group only. */
export interface GroupRoleRow {
  member_id: string;
  group_id: string;
  role_id: string;
  parameter: string | null;
}

export interface ScopeAdministratorRow {
  id: string;
  org_id: string;
  member_id: string;
  /** null: the whole organization. */
  group_id: string | null;
  created_at: Date;
}

export interface IdentityLinkRow {
  id: string;
  org_id: string;
  member_id: string;
  source: string;
  external_id: string;
  login: string | null;
  content_hash: string | null;
  ref: string | null;
  disabled_by_sync: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface GroupLinkRow {
  group_id: string;
  org_id: string;
  source: string;
  external_id: string;
  ref: string;
  content_hash: string;
  members_hash: string | null;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    members: Table<MemberRow>;
    member_roles: Table<MemberRoleRow>;
    groups: Table<GroupRow>;
    memberships: Table<MembershipRow>;
    group_roles: Table<GroupRoleRow>;
    scope_administrators: Table<ScopeAdministratorRow>;
    identity_links: Table<IdentityLinkRow>;
    group_links: Table<GroupLinkRow>;
  }
}
