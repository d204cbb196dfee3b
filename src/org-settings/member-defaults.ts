import type { Knex } from 'knex';
import { loadCatalog } from '../catalog/catalog-store.ts';
import { findRole, findUserType, fits } from '../catalog/compatibility.ts';
import { type FieldIssue, ValidationError } from '../errors.ts';
import { newMemberTypeAndRole } from '../members/new-member-defaults.ts';
import type { NewMemberDefaults } from '../orgs/organizations.ts';

// The defaults for new members are checked when they are set, against the
// organization's catalog and groups, so that a member creation never fails on them later: the
// user type and role must exist and fit together, the groups must exist. They are stored under
// their canonical names.

const FIELD = 'newMemberDefaults';

/** Merges a change into the current defaults: a key set to null goes back to the built-in default. */
export function mergeDefaults(
  current: NewMemberDefaults,
  change: Record<string, unknown>,
): NewMemberDefaults {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (value === null && key !== 'credits') delete merged[key];
    else merged[key] = value;
  }
  return merged as NewMemberDefaults;
}

export async function checkedDefaults(
  db: Knex | Knex.Transaction,
  orgId: string,
  defaults: NewMemberDefaults,
): Promise<NewMemberDefaults> {
  const { userTypes, roles } = await loadCatalog(db, orgId);
  const issues: FieldIssue[] = [];
  const { userType: userTypeName, role: roleName } = newMemberTypeAndRole(defaults);
  const userType = findUserType(userTypes, userTypeName);
  const role = findRole(roles, roleName);
  if (!userType)
    issues.push({
      field: `${FIELD}.userType`,
      message: `no user type "${userTypeName}"; user types: ${userTypes.map((t) => t.name).join(', ')}`,
    });
  if (!role)
    issues.push({
      field: `${FIELD}.role`,
      message: `no role "${roleName}"; roles: ${roles.map((r) => r.name).join(', ')}`,
    });
  if (userType && role && !fits(role, userType))
    issues.push({
      field: `${FIELD}.role`,
      message: `role ${role.name} is not compatible with user type ${userType.name}`,
    });
  if (role?.parameterName)
    issues.push({
      field: `${FIELD}.role`,
      message: `role ${role.name} needs a ${role.parameterName} for each member, so it cannot be a default`,
    });
  const groups = defaults.groups ?? [];
  let groupNames: string[] = [];
  if (groups.length > 0) {
    const rows = await db('groups')
      .where('org_id', orgId)
      .andWhere((q) => {
        q.whereRaw('lower(name) = any(?)', [groups.map((g) => g.toLowerCase())]);
        const ids = groups.filter((g) => /^[0-9a-f-]{36}$/i.test(g));
        if (ids.length > 0) q.orWhereIn('id', ids);
      })
      .select('id', 'name');
    const missing = groups.filter(
      (g) => !rows.some((r) => r.id === g || r.name.toLowerCase() === g.toLowerCase()),
    );
    if (missing.length > 0)
      issues.push({ field: `${FIELD}.groups`, message: `unknown group(s): ${missing.join(', ')}` });
    groupNames = [...new Set(rows.map((r) => r.name))];
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    ...defaults,
    ...(defaults.userType !== undefined && { userType: userType!.name }),
    ...(defaults.role !== undefined && { role: role!.name }),
    ...(defaults.groups !== undefined && { groups: groupNames }),
  };
}
