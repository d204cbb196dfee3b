import type { Knex } from 'knex';
import { SYSTEM } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ValidationError } from '../errors.ts';
import { rawRows } from '../store/raw-rows.ts';
import {
  type CatalogLicense,
  type UserTypeRef,
  chooseLicenses,
  defaultLicensesFor,
  incompatibleHeld,
} from './license-rules.ts';
import {
  assertLicenseQuantities,
  countGrants,
  licenseHolders,
  lockLimitedLicenses,
  loadLicenses,
} from './license-store.ts';

// What the writers of members call to give licences: which licences a new or changed member
// holds (checked against the catalog and the member's user type), and the count that keeps
// grants within what the organization has, inside the writer's transaction.

export interface LicenseCatalog {
  licenses: CatalogLicense[];
  userTypes: UserTypeRef[];
}

export async function loadLicenseCatalog(
  db: Knex | Knex.Transaction,
  orgId: string,
  userTypes: UserTypeRef[],
): Promise<LicenseCatalog> {
  return { licenses: await loadLicenses(db, orgId), userTypes };
}

/**
 * The licences of a new member: those the request names, each of which must be in the catalog
 * and compatible with the user type (else a validation error naming both); without any, the
 * organization's default licences the user type may hold.
 */
export function newMemberLicenses(
  requested: string[] | undefined,
  defaults: string[],
  userType: UserTypeRef,
  catalog: LicenseCatalog,
  field = 'licenses',
): string[] {
  if (requested === undefined) return defaultLicensesFor(defaults, userType, catalog.licenses);
  const choice = chooseLicenses(requested, userType, catalog.licenses, catalog.userTypes, field);
  if (choice.issues.length > 0) throw new ValidationError(choice.issues);
  return choice.names;
}

/** The licences of a changed member: the new list if given, else those held, under the (new) user type. */
export function changedMemberLicenses(
  requested: string[] | undefined,
  held: string[],
  userType: UserTypeRef,
  catalog: LicenseCatalog,
): string[] {
  if (requested !== undefined) return newMemberLicenses(requested, [], userType, catalog);
  const issues = incompatibleHeld(held, userType, catalog.licenses, catalog.userTypes);
  if (issues.length > 0) throw new ValidationError(issues);
  return held;
}

/** Inside the writer's transaction, after the write: the licences newly granted stay within the quantities. */
export async function claimLicenses(
  trx: Knex.Transaction,
  orgId: string,
  granted: string[][],
): Promise<void> {
  await assertLicenseQuantities(trx, orgId, countGrants(granted));
}

/**
 * What validating a file needs to foresee a shortfall before anything is written: the default
 * licences each user type gets, and where each limited licence stands now.
 */
export interface LicenseRoom {
  defaultsFor(userTypeId: string): string[];
  limited: Map<string, { quantity: number; inUse: number }>;
}

export async function licenseRoom(
  db: Knex | Knex.Transaction,
  orgId: string,
  defaults: string[],
): Promise<LicenseRoom> {
  const catalog = await loadLicenses(db, orgId);
  const holders = await licenseHolders(db, orgId);
  const limited = new Map(
    catalog
      .filter((l) => l.quantity !== null)
      .map((l) => [l.name, { quantity: l.quantity!, inUse: holders.get(l.name)?.inUse ?? 0 }]),
  );
  return {
    defaultsFor: (userTypeId) =>
      defaultLicensesFor(defaults, { id: userTypeId, name: '' }, catalog),
    limited,
  };
}

/** The organization's default licences that a new member of this user type may hold. */
export async function defaultLicensesOf(
  trx: Knex.Transaction,
  orgId: string,
  userTypeId: string,
): Promise<string[]> {
  const rows = await rawRows<{ name: string }>(
    trx,
    `select c.name from organizations o
       cross join jsonb_array_elements_text(coalesce(o.new_member_defaults->'licenses', '[]'::jsonb)) as d(name)
       join licenses c on c.org_id = o.id and c.name = d.name and ?::uuid = any(c.user_type_ids)
     where o.id = ?`,
    [userTypeId, orgId],
  );
  return rows.map((r) => r.name);
}

/**
 * An invitation is accepted: its licences count from now on. A licence the organization no
 * longer has available is not given (the invitee still joins); the audit log says which, for an
 * administrator to give it once one is free.
 */
export async function settleAcceptedLicenses(
  trx: Knex.Transaction,
  orgId: string,
  memberId: string,
): Promise<string[]> {
  const member = await trx('members').where('id', memberId).first('licenses');
  if (!member || member.licenses.length === 0) return [];
  const limited = await lockLimitedLicenses(trx, orgId, member.licenses);
  if (limited.length === 0) return [];
  const holders = await licenseHolders(
    trx,
    orgId,
    limited.map((l) => l.name),
  );
  // The member is active already: it is among the holders counted.
  const dropped = limited
    .filter((l) => (holders.get(l.name)?.inUse ?? 0) > l.quantity)
    .map((l) => l.name);
  if (dropped.length === 0) return [];
  await trx('members')
    .where('id', memberId)
    .update({ licenses: member.licenses.filter((n) => !dropped.includes(n)) });
  await recordAudit(trx, {
    orgId,
    actor: SYSTEM,
    action: 'license.not-granted',
    targetType: 'member',
    targetId: memberId,
    after: {
      licenses: dropped,
      reason: 'none available when the invitation was accepted',
    },
  });
  return dropped;
}
