// The privileges a role carries and a user type caps. A role fits a user type when every
// privilege of the role is among the user type's.

export const PRIVILEGES = [
  'view',
  'edit_data',
  'create_content',
  'share',
  'publish',
  'admin',
] as const;
export type Privilege = (typeof PRIVILEGES)[number];
