import type { Knex } from 'knex';
import { z } from 'zod';
import { type Scope, requireAdministrator } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { loadCatalog } from '../catalog/catalog-store.ts';
import { findUserType } from '../catalog/compatibility.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { parseInput } from '../validation.ts';
import { availability } from './license-rules.ts';
import type { LicenseRow } from '../store/tables/organizations.ts';
import { licenseHolders } from './license-store.ts';
import { counted } from '../counted.ts';

// The organization's catalog of add-on licences: define, change, remove, and the overview of
// what is in use and available. Renaming a licence renames it on every member that holds it.

export const licenseInputSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    userTypes: z
      .array(z.string().trim().min(1))
      .min(1, 'name at least one user type that may hold the licence')
      .max(50),
    quantity: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .nullable()
      .describe('how many the organization has; null for no limit'),
  })
  .strict();

const createSchema = licenseInputSchema.partial({ quantity: true });
const updateSchema = licenseInputSchema.partial();

export interface License {
  id: string;
  name: string;
  userTypes: string[];
  /** null: no limit. */
  quantity: number | null;
  /** Active and disabled members holding it. */
  inUse: number;
  /** Given with invitations not yet accepted: not counted until they are. */
  pendingInvitations: number;
  /** null: no limit. */
  available: number | null;
  /** Made from a free-text licence name when the catalog was introduced. */
  migrated: boolean;
}

async function present(
  db: Knex | Knex.Transaction,
  orgId: string,
  rows: LicenseRow[],
): Promise<License[]> {
  const [{ userTypes }, holders] = await Promise.all([
    loadCatalog(db, orgId),
    licenseHolders(
      db,
      orgId,
      rows.map((r) => r.name),
    ),
  ]);
  return rows.map((r) => {
    const held = holders.get(r.name) ?? { inUse: 0, pending: 0 };
    return {
      id: r.id,
      name: r.name,
      userTypes: userTypes.filter((t) => r.user_type_ids.includes(t.id)).map((t) => t.name),
      quantity: r.quantity,
      inUse: held.inUse,
      pendingInvitations: held.pending,
      available: availability(r.quantity, held.inUse),
      migrated: r.migrated,
    };
  });
}

async function userTypeIds(
  db: Knex | Knex.Transaction,
  orgId: string,
  names: string[],
): Promise<string[]> {
  const { userTypes } = await loadCatalog(db, orgId);
  const issues: Array<{ field: string; message: string }> = [];
  const ids = names.flatMap((name, i) => {
    const type = findUserType(userTypes, name);
    if (type) return [type.id];
    issues.push({
      field: `userTypes.${i}`,
      message: `unknown user type ${JSON.stringify(name)}; known: ${userTypes.map((t) => t.name).join(', ')}`,
    });
    return [];
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return [...new Set(ids)];
}

async function findRow(db: Knex | Knex.Transaction, orgId: string, ref: string) {
  const row = await db('licenses')
    .where('org_id', orgId)
    .andWhere((q) => {
      q.whereRaw('lower(name) = lower(?)', [ref.trim()]);
      if (/^[0-9a-f-]{36}$/i.test(ref)) q.orWhere('id', ref);
    })
    .first();
  if (!row) throw new NotFoundError('licence', ref);
  return row;
}

function nameTaken(error: unknown, name: string): unknown {
  return isUniqueViolation(error, 'licenses_name_key')
    ? new ConflictError(`a licence named "${name}" already exists`, { field: 'name' })
    : error;
}

/** The overview: every licence with how many are in use and available. */
export async function listLicenses(db: Knex, orgId: string) {
  const rows = await db('licenses').where('org_id', orgId).orderBy('name');
  const items = await present(db, orgId, rows);
  return { items, total: items.length };
}

export async function getLicense(db: Knex, orgId: string, ref: string): Promise<License> {
  const [license] = await present(db, orgId, [await findRow(db, orgId, ref)]);
  return license!;
}

export async function createLicense(db: Knex, scope: Scope, input: unknown): Promise<License> {
  requireAdministrator(scope.actor, 'defining licences');
  const request = parseInput(createSchema, input);
  const ids = await userTypeIds(db, scope.orgId, request.userTypes);
  try {
    return await db.transaction(async (trx) => {
      const [row] = await trx('licenses')
        .insert({
          org_id: scope.orgId,
          name: request.name,
          user_type_ids: ids,
          quantity: request.quantity ?? null,
        })
        .returning('*');
      const [created] = await present(trx, scope.orgId, [row!]);
      await recordAudit(trx, {
        orgId: scope.orgId,
        actor: scope.actor,
        action: 'license.create',
        targetType: 'license',
        targetId: row!.id,
        after: created,
      });
      return created!;
    });
  } catch (error) {
    throw nameTaken(error, request.name);
  }
}

/** Members holding the licence whose user type the new list leaves out. */
async function strandedHolders(
  trx: Knex.Transaction,
  orgId: string,
  name: string,
  ids: string[],
): Promise<Array<{ user_type: string; n: number }>> {
  return await trx('members as m')
    .join('user_types as ut', 'ut.id', 'm.user_type_id')
    .where('m.org_id', orgId)
    .whereRaw('? = any(m.licenses)', [name])
    .whereNotIn('m.user_type_id', ids)
    .groupBy('ut.name')
    .select('ut.name as user_type', trx.raw('count(*) as n'));
}

export async function updateLicense(
  db: Knex,
  scope: Scope,
  ref: string,
  input: unknown,
): Promise<License> {
  requireAdministrator(scope.actor, 'changing licences');
  const patch = parseInput(updateSchema, input);
  const ids = patch.userTypes && (await userTypeIds(db, scope.orgId, patch.userTypes));
  try {
    return await db.transaction(async (trx) => {
      const row = await findRow(trx, scope.orgId, ref);
      const [before] = await present(trx, scope.orgId, [row]);
      if (ids) {
        const stranded = await strandedHolders(trx, scope.orgId, row.name, ids);
        if (stranded.length > 0)
          throw ValidationError.field(
            'userTypes',
            `licence ${row.name} is held by members of user type ${stranded.map((s) => `${s.user_type} (${s.n})`).join(', ')}, which the new list leaves out; remove the licence from them first`,
          );
      }
      if (patch.quantity !== undefined && patch.quantity !== null && patch.quantity < before!.inUse)
        throw ValidationError.field(
          'quantity',
          `licence ${row.name} is in use by ${counted(before!.inUse, 'member')}; the quantity cannot be less`,
        );
      const [updated] = await trx('licenses')
        .where('id', row.id)
        .update({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(ids && { user_type_ids: ids }),
          ...(patch.quantity !== undefined && { quantity: patch.quantity }),
          migrated: false,
          updated_at: trx.fn.now(),
        })
        .returning('*');
      if (patch.name !== undefined && patch.name !== row.name) {
        await trx('members')
          .where('org_id', scope.orgId)
          .whereRaw('? = any(licenses)', [row.name])
          .update({ licenses: trx.raw('array_replace(licenses, ?, ?)', [row.name, patch.name]) });
        await renameInDefaults(trx, scope.orgId, row.name, patch.name);
      }
      const [after] = await present(trx, scope.orgId, [updated!]);
      await recordAudit(trx, {
        orgId: scope.orgId,
        actor: scope.actor,
        action: 'license.update',
        targetType: 'license',
        targetId: row.id,
        before,
        after,
      });
      return after!;
    });
  } catch (error) {
    throw nameTaken(error, patch.name ?? ref);
  }
}

async function defaultLicenses(trx: Knex.Transaction, orgId: string): Promise<string[]> {
  const org = await trx('organizations').where('id', orgId).first('new_member_defaults');
  return org?.new_member_defaults.licenses ?? [];
}

async function renameInDefaults(
  trx: Knex.Transaction,
  orgId: string,
  from: string,
  to: string,
): Promise<void> {
  const current = await defaultLicenses(trx, orgId);
  if (!current.includes(from)) return;
  await trx('organizations')
    .where('id', orgId)
    .update({
      new_member_defaults: trx.raw(
        `new_member_defaults || jsonb_build_object('licenses', ?::jsonb)`,
        [JSON.stringify(current.map((n) => (n === from ? to : n)))],
      ),
    });
}

export async function deleteLicense(db: Knex, scope: Scope, ref: string): Promise<License> {
  requireAdministrator(scope.actor, 'deleting licences');
  return db.transaction(async (trx) => {
    const row = await findRow(trx, scope.orgId, ref);
    const [license] = await present(trx, scope.orgId, [row]);
    const holders = license!.inUse + license!.pendingInvitations;
    if (holders > 0)
      throw new ConflictError(
        `licence ${row.name} is held by ${counted(holders, 'member')} (pending invitations included); remove it from them first`,
      );
    if (
      (await defaultLicenses(trx, scope.orgId)).some(
        (n) => n.toLowerCase() === row.name.toLowerCase(),
      )
    )
      throw new ConflictError(
        `licence ${row.name} is among the organization's defaults for new members; remove it from newMemberDefaults first`,
      );
    await trx('licenses').where('id', row.id).delete();
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'license.delete',
      targetType: 'license',
      targetId: row.id,
      before: license,
    });
    return license!;
  });
}
