// The answers of the organization, catalog, group and audit endpoints as the console reads them,
// typed by hand from the OpenAPI document (/api/v1/openapi.json): only the fields the screens use.

interface NewMemberDefaults {
  userType?: string;
  role?: string;
  groups?: string[];
  licenses?: string[];
  credits?: number | null;
  categories?: string[];
  settings?: Record<string, unknown>;
}

export interface Organization {
  id: string;
  name: string;
  membershipLimit: number | null;
  allowAdminInvitations: boolean;
  allowInvitationsWithoutRole: boolean;
  scimPasswordPush: boolean;
  invitationExpiryDays: number;
  newMemberDefaults: NewMemberDefaults;
  updatedAt: string;
}

export interface Role {
  id: string;
  name: string;
  aliases: string[];
  privileges: string[];
  parameterName: string | null;
  parameterRequired?: boolean;
  exclusiveSet: string | null;
  builtin: boolean;
}

export interface UserTypeEntry {
  id: string;
  name: string;
  fileId: string;
  aliases: string[];
  privileges: string[];
  compatibleRoles: string[];
}

export interface License {
  id: string;
  name: string;
  userTypes: string[];
}

export interface GroupEntry {
  id: string;
  name: string;
  description: string;
  source: string;
  memberCount: number;
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: { type: string; id: string | null; label: string };
  action: string;
  target: { type: string; id: string | null };
  before: unknown;
  after: unknown;
}
