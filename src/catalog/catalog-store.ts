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

interface UserTypeRow {
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

export async function loadCatalog(db: Knex | Knex.Transaction, orgId: string): Promise<Catalog> {
  const [roles, userTypes] = await independentQueries(db, [
    () => db<RoleRow>('roles').where('org_id', orgId).orderBy('created_at').orderBy('name'),
    () => db<UserTypeRow>('user_types').where('org_id', orgId).orderBy('name'),
  ]);
  return {
    roles: roles.map(toRole),
    userTypes: userTypes.map((t) => ({
      id: t.id,
      name: t.name,
      fileId: t.file_id,
      aliases: t.aliases,
      privileges: t.privileges,
    })),
  };
}
