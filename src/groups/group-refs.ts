import type { Knex } from 'knex';
import { ValidationError } from '../errors.ts';
import { isUuid } from '../store/uuid.ts';

/** Turns group ids or names into ids of this organization's groups; unknown ones are refused. */
export async function resolveGroupIds(
  trx: Knex | Knex.Transaction,
  orgId: string,
  refs: string[],
): Promise<string[]> {
  if (refs.length === 0) return [];
  const ids = refs.filter(isUuid);
  const names = refs.filter((r) => !isUuid(r)).map((r) => r.toLowerCase());
  const rows = await trx('groups')
    .where('org_id', orgId)
    .andWhere((q) => {
      if (ids.length > 0) q.whereIn('id', ids);
      if (names.length > 0) q.orWhereRaw('lower(name) = any(?)', [names]);
    })
    .select('id', 'name');
  const missing = refs.filter(
    (r) => !rows.some((g) => g.id === r || g.name.toLowerCase() === r.toLowerCase()),
  );
  if (missing.length > 0)
    throw ValidationError.field('groups', `unknown group(s): ${missing.join(', ')}`);
  return [...new Set(rows.map((g) => g.id))];
}
