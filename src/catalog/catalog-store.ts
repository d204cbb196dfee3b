import type { Knex } from 'knex';
import { independentQueries } from '../store/independent-queries.ts';
import { DEFAULT_ROLES, DEFAULT_USER_TYPES } from './default-catalog.ts';
import type { CatalogRole, CatalogUserType } from './compatibility.ts';

export interface Catalog {
  roles: CatalogRole[];
  userTypes: CatalogUserType[];
}

export async function seedCatalog(trx: Knex.Transaction, orgId: string): Promise<void> {
  await trx('user_types').insert(
    DEFAULT_USER_TYPES.map((t) => ({
      org_id: orgId,
      name: t.name,
      file_id: t.fileId,
      aliases: t.aliases,
      privileges: t.privileges,
      builtin: true,
    })),
  );
  await trx('roles').insert(
    DEFAULT_ROLES.map((r) => ({
      org_id: orgId,
      name: r.name,
      aliases: r.aliases,
      privileges: r.privileges,
      parameter_name: r.parameterName ?? null,
      exclusive_set: r.exclusiveSet ?? null,
      builtin: true,
    })),
  );
}

export interface RoleRow {
  id: string;
  name: string;
  aliases: string[];
  privileges: string[];
  parameter_name: string | null;
  parameter_required: boolean;
  exclusive_set: string | null;
  builtin: boolean;
}

export interface UserTypeRow {
  id: string;
  name: string;
  file_id: string;
  aliases: string[];
  privileges: string[];
}

export function toRole(row: RoleRow): CatalogRole & { builtin: boolean } {
  return {
    id: row.id,
    name: row.name,
    aliases: row.aliases,
    privileges: row.privileges,
    parameterName: row.parameter_name,
    parameterRequired: row.parameter_required,
    exclusiveSet: row.exclusive_set,
    builtin: row.builtin,
  };
}

/**
 * The catalog of the organization row `o` as two json columns, for a read of the organization that
 * brings its catalog along (catalogOf turns them back into a Catalog).
 */
export const CATALOG_COLUMNS = `(select coalesce(json_agg(r order by r.created_at, r.name), '[]'::json) from roles r where r.org_id = o.id) as catalog_roles,
  (select coalesce(json_agg(t order by t.name), '[]'::json) from user_types t where t.org_id = o.id) as catalog_user_types`;

export function catalogOf(row: {
  catalog_roles: RoleRow[];
  catalog_user_types: UserTypeRow[];
}): Catalog {
  return {
    roles: row.catalog_roles.map(toRole),
    userTypes: row.catalog_user_types.map(toUserType),
  };
}

function toUserType(t: UserTypeRow): CatalogUserType {
  return {
    id: t.id,
    name: t.name,
    fileId: t.file_id,
    aliases: t.aliases,
    privileges: t.privileges,
  };
}

export async function loadCatalog(db: Knex | Knex.Transaction, orgId: string): Promise<Catalog> {
  const [roles, userTypes] = await independentQueries(db, [
    () => db<RoleRow>('roles').where('org_id', orgId).orderBy('created_at').orderBy('name'),
    () => db<UserTypeRow>('user_types').where('org_id', orgId).orderBy('name'),
  ]);
  return {
    roles: roles.map(toRole),
    userTypes: userTypes.map(toUserType),
  };
}
