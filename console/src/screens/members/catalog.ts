import { api } from '../../api/client.ts';
import type { CatalogRole, Group, Page, UserType } from '../../api/types.ts';

// The choices the member screens offer: roles, user types (with their compatible roles), groups
// and sources.

export interface Choices {
  roles: CatalogRole[];
  userTypes: Array<UserType & { compatibleRoles: string[] }>;
  groups: Group[];
  sources: string[];
}

export async function loadChoices(): Promise<Choices> {
  const [roles, userTypes, groups, sources] = await Promise.all([
    api.get<{ items: CatalogRole[] }>('/roles'),
    api.get<{ items: Array<UserType & { compatibleRoles: string[] }> }>('/user-types'),
    api.get<Page<Group>>('/groups', { pageSize: 200 }),
    api.get<{ items: Array<{ name: string }> }>('/sources'),
  ]);
  return {
    roles: roles.items,
    userTypes: userTypes.items,
    groups: groups.items,
    sources: sources.items.map((s) => s.name),
  };
}
