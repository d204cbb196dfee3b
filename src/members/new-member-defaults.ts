import type { Catalog } from '../catalog/catalog-store.ts';
import { DEFAULT_NEW_MEMBER } from '../catalog/default-catalog.ts';
import { findRole, findUserType } from '../catalog/compatibility.ts';
import { ConflictError } from '../errors.ts';
import type { NewMemberDefaults } from '../orgs/organizations.ts';

// The one rule for the user type and role of a new member, whoever adds it (an administrator, a
// directory sync, an import, an invitation, a SCIM client): what was asked for, else the
// organization's defaults for new members, else Creator and User.

export interface TypeAndRole {
  userType: string;
  role: string;
}

export function newMemberTypeAndRole(
  defaults: Pick<NewMemberDefaults, 'userType' | 'role'>,
  asked: { userType?: string | null | undefined; role?: string | null | undefined } = {},
): TypeAndRole {
  return {
    userType: asked.userType || defaults.userType || DEFAULT_NEW_MEMBER.userType,
    role: asked.role || defaults.role || DEFAULT_NEW_MEMBER.role,
  };
}

/** The organization's defaults for new members name a user type or role its catalog lacks. */
export class DefaultsNotInCatalogError extends ConflictError {}

/** The catalog ids of the defaults; a default that names nothing in the catalog is a conflict to fix. */
export function newMemberTypeAndRoleIds(
  catalog: Catalog,
  defaults: Pick<NewMemberDefaults, 'userType' | 'role'>,
): { userTypeId: string; roleId: string } {
  const names = newMemberTypeAndRole(defaults);
  const userType = findUserType(catalog.userTypes, names.userType);
  const role = findRole(catalog.roles, names.role);
  if (!userType || !role)
    throw new DefaultsNotInCatalogError(
      `the organization's default user type or role for new members (${names.userType} / ${names.role}) is not in its catalog; fix newMemberDefaults`,
    );
  return { userTypeId: userType.id, roleId: role.id };
}
