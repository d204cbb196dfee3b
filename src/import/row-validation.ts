import type { Catalog } from '../catalog/catalog-store.ts';
import { findRole, findUserType, roleGrantIssues } from '../catalog/compatibility.ts';
import { isAdministratorRole } from '../access/privileges.ts';
import { emailProblem } from '../members/email-rules.ts';
import { enterpriseAccountName, fromDownLevelLogon } from '../members/enterprise-login.ts';
import { deriveNames } from '../members/name-derivation.ts';
import { passwordProblem } from '../members/password-policy.ts';
import { USERNAME_MAX, usernameProblem } from '../members/username-rules.ts';
import { createUsersAccountProblem } from './createusers-line.ts';
import type { AccountKind, ImportField } from './import-modes.ts';
import { textProblem } from '../input/text-rules.ts';
import { newMemberTypeAndRole } from '../members/new-member-defaults.ts';

// The member rules applied to one row of an import file. Pure: the catalog, the organization's
// defaults and the mode's policy come in; a resolved row or every problem with it comes out.

type RowField = ImportField | 'description' | 'idpUserName' | 'name';

export interface ImportRow {
  line: number;
  values: Partial<Record<RowField, string>>;
}

export interface ImportIssue {
  line: number | null;
  field: string | null;
  severity: 'error' | 'warning';
  message: string;
}

export interface ValidRow {
  line: number;
  /** The member's username; for invitations without one, the email (the key for duplicates). */
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  description: string;
  userTypeId: string;
  roleId: string;
  password?: string;
  source: string;
  link?: { source: string; externalId: string };
  /** Rows of the invitation modes are handed to the invitation issuer instead of the member store. */
  invitation: boolean;
}

export interface RowPolicy {
  account: AccountKind;
  /** CreateUsers accounts (Portal for ArcGIS) follow that utility's rule (letters, digits, '_', ≤ 128). */
  accountRule: 'member' | 'createusers';
  allowAdministrator: boolean;
  defaultEmail?: string | undefined;
  catalog: Catalog;
  defaults: { userType?: string | undefined; role?: string | undefined };
  /** The names of the organization's sources that the identities of the org-id rows may belong to. */
  sources: Record<IdentityType, string[]>;
}

export type RowOutcome =
  | { ok: true; row: ValidRow; warnings: ImportIssue[] }
  | { ok: false; issues: ImportIssue[] };

/** The longest cell any column may hold; each column's own rule is tighter. */
const CELL_MAX = 1024;

const LABEL: Record<RowField, string> = {
  email: 'Email',
  firstName: 'First Name',
  lastName: 'Last Name',
  username: 'Username',
  password: 'Password',
  userType: 'User Type',
  role: 'Role',
  identityType: 'Identity type',
  id: 'ID',
  samlId: 'SAML ID',
  oidcId: 'OpenID Connect ID',
  description: 'Description',
  idpUserName: 'Idp UserName',
  name: 'Name',
};

/** AD logins are sAMAccountName@DOMAIN with the domain upper-cased; `domain\user` is rewritten so. */
export function enterpriseUsername(login: string): string {
  const downLevel = fromDownLevelLogon(login);
  if (downLevel) return downLevel;
  const name = enterpriseAccountName(login);
  const ad = /^([^@]+)@([^@.]+)$/.exec(name);
  return ad ? `${ad[1]}@${ad[2]!.toUpperCase()}` : name;
}

type IdentityType = 'saml' | 'oidc';
const TYPE_LABEL: Record<IdentityType, string> = { saml: 'SAML', oidc: 'OpenID Connect' };

function identityOf(
  values: ImportRow['values'],
): { type: IdentityType; id: string; field: RowField } | { error: string; field: RowField } {
  if (values.samlId) return { type: 'saml', id: values.samlId, field: 'samlId' };
  if (values.oidcId) return { type: 'oidc', id: values.oidcId, field: 'oidcId' };
  const type = (values.identityType ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '');
  if (!values.id)
    return {
      error: "is required: the member's SAML NameID or OpenID Connect subject",
      field: values.identityType === undefined ? 'samlId' : 'id',
    };
  if (type === 'saml') return { type: 'saml', id: values.id, field: 'identityType' };
  if (type === 'openidconnect' || type === 'oidc')
    return { type: 'oidc', id: values.id, field: 'identityType' };
  return {
    error: `must be SAML or OpenID Connect (got ${JSON.stringify(values.identityType ?? '')})`,
    field: 'identityType',
  };
}

/**
 * The configured source an identity belongs to: sign-in finds a link by the source's name, so an
 * identity of a type with no source (or with several, and no source chosen) cannot be linked.
 */
function sourceOf(type: IdentityType, names: string[]): { name: string } | { error: string } {
  if (names.length === 1) return { name: names[0]! };
  if (names.length === 0)
    return {
      error: `needs a ${TYPE_LABEL[type]} source, and the organization has none configured`,
    };
  return {
    error: `could belong to any of the ${TYPE_LABEL[type]} sources ${names.join(', ')}: choose one with the source option`,
  };
}

export function validateRow(input: ImportRow, policy: RowPolicy): RowOutcome {
  const { line, values } = input;
  const issues: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  const fail = (field: RowField, message: string) =>
    issues.push({ line, field: LABEL[field], severity: 'error', message });
  const raw = (field: RowField) => (values[field] ?? '').trim();
  for (const [field, value] of Object.entries(values) as [RowField, string][]) {
    const problem = textProblem(value, CELL_MAX);
    if (problem) fail(field, problem);
  }
  if (issues.length > 0) return { ok: false, issues };

  // CreateUsers files write `false` where a member has no email: the default email applies.
  const givenEmail =
    policy.accountRule === 'createusers' && raw('email').toLowerCase() === 'false'
      ? ''
      : raw('email');
  const email = givenEmail || policy.defaultEmail || '';
  const emailIssue = emailProblem(email);
  if (emailIssue)
    fail(
      'email',
      givenEmail ? emailIssue : 'is required (or give a default email for rows without one)',
    );

  let username = raw('username');
  let source = 'builtin';
  let link: ValidRow['link'];
  if (
    policy.account === 'builtin' ||
    (policy.account === 'invitation' && values.username !== undefined)
  ) {
    const problem =
      policy.accountRule === 'createusers'
        ? createUsersAccountProblem(username)
        : usernameProblem(username);
    if (problem) fail('username', problem);
    if (policy.account === 'invitation') source = 'invitation';
  } else if (policy.account === 'enterprise') {
    source = 'enterprise';
    username = enterpriseUsername(username);
    if (!username) fail('username', 'is required');
    else if (username.length > USERNAME_MAX)
      fail('username', `must be at most ${USERNAME_MAX} characters (got ${username.length})`);
    // The login is the username; a link is kept only for an identity-provider name that differs from it.
    const idpUserName = raw('idpUserName');
    if (idpUserName && idpUserName !== username)
      link = { source: 'enterprise', externalId: idpUserName };
  } else if (policy.account === 'org-id') {
    const identity = identityOf(values);
    const named =
      'error' in identity ? identity : sourceOf(identity.type, policy.sources[identity.type]);
    if ('error' in named) fail(identity.field, named.error);
    else if ('id' in identity) {
      source = named.name;
      username = enterpriseAccountName(identity.id);
      link = { source: named.name, externalId: identity.id };
      if (username.length > USERNAME_MAX)
        fail('id', `must be at most ${USERNAME_MAX} characters (got ${username.length})`);
    }
  } else {
    source = 'invitation';
    username = email;
  }

  const password = values.password;
  if (policy.account === 'builtin') {
    if (!password) fail('password', 'is required for a built-in account');
    else {
      const problem = passwordProblem(password, username);
      if (problem) fail('password', problem);
    }
  }

  // Enterprise rows of the "Username, Role, User Type" format carry no names: the account name stands in.
  const fallbackName =
    policy.account === 'enterprise' || policy.account === 'invitation'
      ? username.split('@')[0]
      : undefined;
  const names = deriveNames({
    firstName: values.firstName,
    lastName: values.lastName,
    name: values.name ?? (values.firstName || values.lastName ? undefined : fallbackName),
  });
  if (!names.ok) fail(values.name !== undefined ? 'name' : 'firstName', names.reason);

  const description = raw('description');
  if (description.length > 250)
    fail('description', `must be at most 250 characters (got ${description.length})`);

  const wantedType = newMemberTypeAndRole(policy.defaults, { userType: raw('userType') }).userType;
  const userType = findUserType(policy.catalog.userTypes, wantedType);
  if (!userType)
    fail(
      'userType',
      `unknown user type ${JSON.stringify(wantedType)}; known: ${policy.catalog.userTypes.map((t) => t.name).join(', ')}`,
    );

  // A role that is not one of the organization's becomes the default new-member role, else User.
  const fallbackRole = newMemberTypeAndRole(policy.defaults).role;
  let role = findRole(policy.catalog.roles, raw('role') || fallbackRole);
  if (!role) {
    role = findRole(policy.catalog.roles, fallbackRole);
    warnings.push({
      line,
      field: LABEL.role,
      severity: 'warning',
      message: `unknown role ${JSON.stringify(raw('role'))}: ${role?.name ?? fallbackRole} (the default new-member role) is given instead`,
    });
  }
  if (!role)
    fail(
      'role',
      `the default new-member role ${JSON.stringify(fallbackRole)} is not in the catalog`,
    );
  else {
    if (isAdministratorRole(role) && !policy.allowAdministrator) {
      fail(
        'role',
        `${role.name} is an administrator role and cannot be granted through an invitation (the organization's policy does not allow it)`,
      );
    }
    if (userType)
      for (const issue of roleGrantIssues(
        [{ role, parameter: null, field: 'role' }],
        userType,
        policy.catalog.roles,
      ))
        fail('role', issue.message);
  }

  if (issues.length > 0 || !names.ok || !userType || !role) return { ok: false, issues };
  return {
    ok: true,
    warnings,
    row: {
      line,
      username,
      email,
      firstName: names.firstName,
      lastName: names.lastName,
      displayName: names.displayName,
      description,
      userTypeId: userType.id,
      roleId: role.id,
      source,
      invitation: policy.account === 'invitation',
      ...(policy.account === 'builtin' && password !== undefined && { password }),
      ...(link && { link }),
    },
  };
}
