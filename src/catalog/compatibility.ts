import type { FieldIssue } from '../errors.ts';
import { UNCAPPED_PRIVILEGES } from '../access/privileges.ts';

// Pure rules over the catalog: user type caps, mutual exclusion, required role parameters.

export interface CatalogRole {
  id: string;
  name: string;
  aliases: string[];
  privileges: string[];
  parameterName: string | null;
  /** Whether every grant must carry the parameter (a Vertex ID) or may leave it out (a default project). */
  parameterRequired?: boolean;
  exclusiveSet: string | null;
}

export interface CatalogUserType {
  id: string;
  name: string;
  fileId: string;
  aliases: string[];
  privileges: string[];
}

export interface RoleGrant {
  role: CatalogRole;
  parameter: string | null;
}

const fold = (s: string) => s.trim().toLowerCase();

/** Role names are case-insensitive and may be given by an alias. */
export function findRole(roles: CatalogRole[], name: string): CatalogRole | undefined {
  const wanted = fold(name);
  return roles.find(
    (r) => r.id === name || fold(r.name) === wanted || r.aliases.some((a) => fold(a) === wanted),
  );
}

export function findUserType(types: CatalogUserType[], name: string): CatalogUserType | undefined {
  const wanted = fold(name);
  return types.find(
    (t) =>
      t.id === name ||
      fold(t.name) === wanted ||
      fold(t.fileId) === wanted ||
      t.aliases.some((a) => fold(a) === wanted),
  );
}

/** A role's parameter is required unless the role declares it optional. */
export function parameterRequired(role: Pick<CatalogRole, 'parameterRequired'>): boolean {
  return role.parameterRequired !== false;
}

export function fits(role: CatalogRole, userType: CatalogUserType): boolean {
  return role.privileges.every(
    (p) =>
      userType.privileges.includes(p) || (UNCAPPED_PRIVILEGES as readonly string[]).includes(p),
  );
}

export function compatibleRoles(roles: CatalogRole[], userType: CatalogUserType): CatalogRole[] {
  return roles.filter((r) => fits(r, userType));
}

/** Every problem with holding these roles under this user type, each tied to a request field. */
export function roleGrantIssues(
  grants: Array<RoleGrant & { field: string }>,
  userType: CatalogUserType,
  allRoles: CatalogRole[],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const grant of grants) {
    if (!fits(grant.role, userType)) {
      const names = compatibleRoles(allRoles, userType).map((r) => r.name);
      issues.push({
        field: grant.field,
        message: `role ${grant.role.name} is not compatible with user type ${userType.name}; compatible roles: ${names.join(', ') || 'none'}`,
      });
    }
    if (grant.role.parameterName && parameterRequired(grant.role) && !grant.parameter?.trim()) {
      issues.push({
        field: grant.field,
        message: `role ${grant.role.name} needs a ${grant.role.parameterName}`,
      });
    }
    if (!grant.role.parameterName && grant.parameter) {
      issues.push({ field: grant.field, message: `role ${grant.role.name} takes no parameter` });
    }
  }
  issues.push(...exclusionIssues(grants.map((g) => g.role)));
  const seen = new Set<string>();
  for (const { role, field } of grants) {
    if (seen.has(role.id)) issues.push({ field, message: `role ${role.name} is given twice` });
    seen.add(role.id);
  }
  return issues;
}

/** Roles of one exclusive set given together. */
export function exclusionIssues(roles: CatalogRole[]): FieldIssue[] {
  const bySet = new Map<string, string[]>();
  for (const role of roles) {
    if (!role.exclusiveSet) continue;
    bySet.set(role.exclusiveSet, [...(bySet.get(role.exclusiveSet) ?? []), role.name]);
  }
  return [...bySet.values()]
    .filter((names) => names.length > 1)
    .map((names) => ({
      field: 'roles',
      message: `roles ${names.join(' and ')} are mutually exclusive and cannot be held together`,
    }));
}
