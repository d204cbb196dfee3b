import type { Column, Table } from './column-types.ts';

// An organization and its catalog: user types, roles and licences.

export interface OrganizationRow {
  id: string;
  name: string;
  slug: string;
  membership_limit: number | null;
  allow_admin_invitations: boolean;
  allow_invitations_without_role: boolean;
  scim_password_push: boolean;
  invitation_expiry_days: number;
  new_member_defaults: Column<'organizations.new_member_defaults', Record<string, unknown>>;
  created_at: Date;
  updated_at: Date;
}

/** An organization's revision: a new random value whenever its row, roles or user types change. */
export interface OrganizationRevisionRow {
  org_id: string;
  revision: string;
}

export interface UserTypeRow {
  id: string;
  org_id: string;
  name: string;
  file_id: string;
  aliases: string[];
  privileges: string[];
  builtin: boolean;
}

export interface RoleRow {
  id: string;
  org_id: string;
  name: string;
  aliases: string[];
  privileges: string[];
  parameter_name: string | null;
  parameter_required: boolean;
  exclusive_set: string | null;
  builtin: boolean;
  created_at: Date;
}

export interface LicenseRow {
  id: string;
  org_id: string;
  name: string;
  user_type_ids: string[];
  quantity: number | null;
  migrated: boolean;
  created_at: Date;
  updated_at: Date;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    organizations: Table<OrganizationRow>;
    organization_revisions: Table<OrganizationRevisionRow>;
    user_types: Table<UserTypeRow>;
    roles: Table<RoleRow>;
    licenses: Table<LicenseRow>;
  }
}
