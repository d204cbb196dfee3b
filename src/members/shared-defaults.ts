import type { Knex } from 'knex';
import { ValidationError } from '../errors.ts';
import { resolveGroupIds } from '../groups/group-refs.ts';
import type { NewMemberDefaults } from '../orgs/organizations.ts';
import type { SharedMemberFields } from './member-bulk-insert.ts';

/**
 * The organization's defaults for new members beyond user type and role, resolved once
 * for a bulk write. A default group that no longer exists is the organization's setting to fix,
 * and is named as such rather than as a problem of the rows.
 */
export async function sharedDefaults(
  db: Knex | Knex.Transaction,
  orgId: string,
  defaults: NewMemberDefaults,
): Promise<SharedMemberFields> {
  let groupIds: string[];
  try {
    groupIds = await resolveGroupIds(db, orgId, defaults.groups ?? []);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw ValidationError.field(
      'newMemberDefaults.groups',
      `the organization's default groups for new members name ${error.issues[0]?.message ?? 'unknown groups'}; correct the organization's newMemberDefaults`,
    );
  }
  return {
    groupIds,
    licenses: defaults.licenses ?? [],
    categories: defaults.categories ?? [],
    credits: defaults.credits ?? null,
    settings: defaults.settings ?? {},
  };
}
