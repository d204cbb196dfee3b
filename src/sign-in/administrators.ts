import type { Knex } from 'knex';

/**
 * Whether anyone can administer the organization yet: an active member whose role carries the
 * admin privilege. Until then the sign-in page says how to create the first administrator.
 */
export async function hasAdministrator(db: Knex, orgId: string): Promise<boolean> {
  const row = await db('members as m')
    .join('roles as r', 'r.id', 'm.role_id')
    .where('m.org_id', orgId)
    .andWhere('m.status', 'active')
    .andWhereRaw('? = any(r.privileges)', ['admin'])
    .first('m.id');
  return row !== undefined;
}
