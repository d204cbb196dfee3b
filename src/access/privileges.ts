// The privileges a role carries and a user type caps. A role fits a user type when every
// privilege of the role is among the user type's — except manage_members ("invite and
// manage members"), which is about administering provisiond, not about the licensed product, so
// no user type caps it.

export const PRIVILEGES = [
  'view',
  'edit_data',
  'create_content',
  'share',
  'publish',
  'admin',
  'manage_members',
] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/** Privileges no user type caps. */
export const UNCAPPED_PRIVILEGES: readonly Privilege[] = ['manage_members'];

/** An administrator role is one that holds the `admin` privilege. */
export function isAdministratorRole(role: { privileges: readonly string[] }): boolean {
  return role.privileges.includes('admin');
}
