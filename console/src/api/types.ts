// The API's answers as the console reads them, typed by hand from the OpenAPI document
// (/api/v1/openapi.json): only the fields the screens show.

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

type MemberStatus = 'pending' | 'active' | 'disabled';

interface RoleRef {
  id: string;
  name: string;
  parameter: string | null;
}

export interface Member {
  id: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  userType: { id: string; name: string };
  role: RoleRef;
  additionalRoles: RoleRef[];
  /** Roles held within one group only (a group's invitation code). */
  groupRoles: Array<RoleRef & { group: { id: string; name: string } }>;
  status: MemberStatus;
  source: string;
  groups: Array<{ id: string; name: string }>;
  links: Array<{ source: string; externalId: string; login: string | null }>;
  licenses: string[];
  categories: string[];
  credits: number | null;
  settings: Record<string, unknown>;
  lastSignInAt: string | null;
  version: number;
  createdAt: string;
}

export interface Me {
  actor: { type: string; id: string | null; label: string };
  organization: { id: string; name: string };
  access: 'administrator' | 'scope-administrator' | 'member-manager' | 'editor' | 'viewer' | 'none';
  groups: Array<{ id: string; name: string }> | null;
  csrfToken: string | null;
}

export interface CatalogRole {
  id: string;
  name: string;
  privileges: string[];
  parameterName: string | null;
}

export interface UserType {
  id: string;
  name: string;
  roles?: string[];
}

export interface Group {
  id: string;
  name: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: string;
  mode: string;
  status: 'pending' | 'accepted' | 'expired' | 'deleted' | 'added';
  invitedBy: string;
  createdAt: string;
  expiresAt: string | null;
  username: string | null;
  link: string | null;
}

export interface InvitationCode {
  id: string;
  scope: string;
  scopeType: 'organization' | 'group';
  roles: string[];
  createdBy: string;
  createdAt: string;
  validUntil: string;
  status: 'valid' | 'used' | 'disabled' | 'expired';
  usedAt: string | null;
  usedBy: string | null;
}

export interface CreatedCodes {
  codes: string[];
  ids: string[];
  validUntil: string;
  scope: string;
  roles: string[];
  copyText: string;
}

export interface ApiKey {
  id: string;
  title: string;
  role: 'editor' | 'viewer';
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  status: 'active' | 'expired';
}

export interface ImportModeInfo {
  id: string;
  title: string;
  header: string;
  invitation: boolean;
  columns: Array<{ field: string; label: string; accepted: string[]; required: boolean }>;
}

export interface ImportIssue {
  line: number | null;
  field: string | null;
  severity: 'error' | 'warning';
  message: string;
}

export interface ImportRun {
  id: string;
  status: 'validated' | 'applying' | 'applied' | 'failed';
  report: {
    rows: number;
    valid: number;
    invalid: number;
    alreadyPresent: number;
    toCreate: number;
    fileError: boolean;
    membershipLimit: { limit: number; count: number; adding: number } | null;
    issues: ImportIssue[];
  };
  progress: { appliedThroughLine: number; lastLine: number };
  created: number;
  alreadyPresent: number;
  error: string | null;
}
