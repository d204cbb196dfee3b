import type { Knex } from 'knex';
import { type Catalog, loadCatalog } from '../catalog/catalog-store.ts';
import {
  type CatalogRole,
  type CatalogUserType,
  findRole,
  findUserType,
  roleGrantIssues,
} from '../catalog/compatibility.ts';
import { type FieldIssue, LimitError, ValidationError } from '../errors.ts';
import { emailProblem } from './email-rules.ts';
import { deriveNames } from './name-derivation.ts';
import { passwordProblem } from './password-policy.ts';
import { usernameProblem } from './username-rules.ts';

// Checks a member's fields against the rules and the organization's catalog and collects every
// problem at once, so that a request or a file row is answered with all that is wrong with it.

export interface MemberFields {
  username: string;
  /** Null only for a member from an identity provider that gave no address. */
  email: string | null;
  firstName?: string | undefined;
  lastName?: string | undefined;
  displayName?: string | undefined;
  userType: string;
  role: string;
  roleParameter?: string | null | undefined;
  additionalRoles?: Array<{ role: string; parameter?: string | null | undefined }> | undefined;
  password?: string | undefined;
}

export interface ResolvedMember {
  firstName: string;
  lastName: string;
  displayName: string;
  userType: CatalogUserType;
  role: CatalogRole;
  additionalRoles: Array<{ role: CatalogRole; parameter: string | null }>;
}

export function checkMemberFields(
  fields: MemberFields,
  catalog: Catalog,
  options: { usernameRules: boolean; emailTyped?: boolean },
): ResolvedMember {
  const issues: FieldIssue[] = [];
  if (options.usernameRules) {
    const problem = usernameProblem(fields.username);
    if (problem) issues.push({ field: 'username', message: problem });
  }
  // The stricter rule is for addresses administrators type; one kept from an identity provider
  // (possibly none) is not re-judged when something else of the member changes.
  const emailIssue = options.emailTyped === false ? null : emailProblem(fields.email ?? '');
  if (emailIssue) issues.push({ field: 'email', message: emailIssue });
  if (fields.password !== undefined) {
    const problem = passwordProblem(fields.password, fields.username);
    if (problem) issues.push({ field: 'password', message: problem });
  }
  const names = deriveNames({
    firstName: fields.firstName,
    lastName: fields.lastName,
    name: fields.displayName,
  });
  if (!names.ok) issues.push({ field: 'firstName', message: names.reason });

  const userType = findUserType(catalog.userTypes, fields.userType);
  if (!userType) {
    issues.push({
      field: 'userType',
      message: `unknown user type ${JSON.stringify(fields.userType)}; known: ${catalog.userTypes.map((t) => t.name).join(', ')}`,
    });
  }
  const grants: Array<{ role: CatalogRole; parameter: string | null; field: string }> = [];
  const wanted = [
    { role: fields.role, parameter: fields.roleParameter ?? null, field: 'role' },
    ...(fields.additionalRoles ?? []).map((g, i) => ({
      role: g.role,
      parameter: g.parameter ?? null,
      field: `additionalRoles.${i}`,
    })),
  ];
  for (const want of wanted) {
    const role = findRole(catalog.roles, want.role);
    if (role) grants.push({ role, parameter: want.parameter, field: want.field });
    else
      issues.push({
        field: want.field,
        message: `unknown role ${JSON.stringify(want.role)}; known: ${catalog.roles.map((r) => r.name).join(', ')}`,
      });
  }
  if (userType) issues.push(...roleGrantIssues(grants, userType, catalog.roles));
  if (issues.length > 0 || !userType || !names.ok) throw new ValidationError(issues);
  const [primary, ...additional] = grants;
  return {
    firstName: names.firstName,
    lastName: names.lastName,
    displayName: names.displayName,
    userType,
    role: primary!.role,
    additionalRoles: additional.map((g) => ({ role: g.role, parameter: g.parameter })),
  };
}

export async function loadCatalogFor(db: Knex | Knex.Transaction, orgId: string): Promise<Catalog> {
  return loadCatalog(db, orgId);
}

/**
 * The organization's limit counts every member, pending ones (open invitations)
 * included. With a limit, the organization row is locked so that concurrent additions cannot
 * overshoot; without one, nothing is locked and additions run side by side.
 */
export async function assertWithinMembershipLimit(
  trx: Knex.Transaction,
  orgId: string,
  adding: number,
): Promise<void> {
  const unlocked = await trx('organizations').where('id', orgId).first('membership_limit');
  if (unlocked?.membership_limit === null || unlocked?.membership_limit === undefined) return;
  const org = await trx('organizations').where('id', orgId).forUpdate().first('membership_limit');
  const limit = org?.membership_limit as number | null | undefined;
  if (limit === null || limit === undefined) return;
  const count = await countMembers(trx, orgId);
  if (count + adding > limit) throw new LimitError(limit, count, adding);
}

/** What counts toward the membership limit: every member of the organization, pending ones (invitees) included. */
export async function countMembers(db: Knex | Knex.Transaction, orgId: string): Promise<number> {
  const [row] = await db('members').where('org_id', orgId).count({ n: '*' });
  return Number(row?.n ?? 0);
}
