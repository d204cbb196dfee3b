import type { Knex } from 'knex';
import { LicenseLimitError } from '../errors.ts';
import type { LicenseRow } from '../store/tables/organizations.ts';
import { type CatalogLicense, shortfallMessage, shortfalls } from './license-rules.ts';

// The licences table is owned here: reading the catalog, counting holders, and the check every
// writer of members' licences calls inside its transaction.

function toCatalogLicense(row: LicenseRow): CatalogLicense {
  return { id: row.id, name: row.name, userTypeIds: row.user_type_ids, quantity: row.quantity };
}

export async function loadLicenses(
  db: Knex | Knex.Transaction,
  orgId: string,
): Promise<CatalogLicense[]> {
  const rows = await db('licenses').where('org_id', orgId).orderBy('name');
  return rows.map(toCatalogLicense);
}

/** Holders of each licence: `inUse` active and disabled members, `pending` invited ones. */
export async function licenseHolders(
  db: Knex | Knex.Transaction,
  orgId: string,
  names?: string[],
): Promise<Map<string, { inUse: number; pending: number }>> {
  const query = db
    .from(db.raw('members as m, unnest(m.licenses) as l(name)'))
    .where('m.org_id', orgId)
    .groupBy('l.name')
    .select(
      'l.name',
      db.raw("count(*) filter (where m.status <> 'pending') as in_use"),
      db.raw("count(*) filter (where m.status = 'pending') as pending"),
    );
  if (names) query.whereIn('l.name', names);
  const rows: Array<{ name: string; in_use: number; pending: number }> = await query;
  return new Map(
    rows.map((r) => [r.name, { inUse: Number(r.in_use), pending: Number(r.pending) }]),
  );
}

/** The limited licences among `names`, locked in id order until the transaction ends. */
export async function lockLimitedLicenses(
  trx: Knex.Transaction,
  orgId: string,
  names: string[],
): Promise<Array<{ name: string; quantity: number }>> {
  const rows = await trx('licenses')
    .where('org_id', orgId)
    .whereIn('name', names)
    .whereNotNull('quantity')
    .orderBy('id')
    .forUpdate()
    .select('name', 'quantity');
  return rows.flatMap(({ name, quantity }) => (quantity === null ? [] : [{ name, quantity }]));
}

/**
 * Called by a writer after it granted licences inside `trx`: `adding` is how many members this
 * write newly gave each licence (pending members not counted). The limited licences are locked
 * first, so that concurrent grants are counted one after the other; a grant beyond what the
 * organization has throws, and the caller's transaction rolls back with nothing written.
 */
export async function assertLicenseQuantities(
  trx: Knex.Transaction,
  orgId: string,
  adding: Map<string, number>,
): Promise<void> {
  const names = [...adding].filter(([, n]) => n > 0).map(([name]) => name);
  if (names.length === 0) return;
  const limited = await lockLimitedLicenses(trx, orgId, names);
  if (limited.length === 0) return;
  const holders = await licenseHolders(
    trx,
    orgId,
    limited.map((l) => l.name),
  );
  const short = shortfalls(
    limited.map((l) => ({
      name: l.name,
      quantity: l.quantity,
      inUseAfter: holders.get(l.name)?.inUse ?? 0,
      adding: adding.get(l.name) ?? 0,
    })),
  );
  if (short.length > 0) throw new LicenseLimitError(short.map(shortfallMessage).join('; '), short);
}

/** How many of the given members' licence lists name each licence. */
export function countGrants(lists: string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const list of lists) for (const name of list) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}
