import type { Knex } from 'knex';
import type { Catalog } from '../catalog/catalog-store.ts';
import { type Organization, findOrganizationWithCatalog } from './organizations.ts';

// A member that SCIM creates takes its user type, role and a few settings from its organization
// and the organization's catalog. Reading those for every create was a quarter of the daemon's
// work per create. This process keeps what it last read of each organization, with the revision
// it was read at. A write that uses it computes the organization's id with `organizationIdAt`, so
// the write fails once the organization or its catalog has changed, here or in another process;
// the caller then reads them again and writes again.
//
// The key is the organization's id alone, whatever database it was read from: a revision is a
// random value, so two databases hold the same revision of an organization only as copies of one
// another (a restore, a copied data directory), with the same contents.

export interface KnownOrganization {
  org: Organization;
  catalog: Catalog;
  revision: string;
}

/** Enough for every organization of a large installation; the oldest read is forgotten first. */
const LIMIT = 1000;

const known = new Map<string, KnownOrganization>();

/**
 * The organization with its catalog as this process last read it, or read now when it has none,
 * or when `stale` (the last write with it found the organization changed).
 */
export async function knownOrganizationWithCatalog(
  db: Knex,
  id: string,
  stale?: KnownOrganization,
): Promise<KnownOrganization> {
  const kept = known.get(id);
  if (kept && kept !== stale) return kept;
  const read = await findOrganizationWithCatalog(db, id);
  known.delete(id);
  if (known.size >= LIMIT) known.delete(known.keys().next().value as string);
  known.set(id, read);
  return read;
}
