import type { Knex } from 'knex';
import { rawRows } from '../store/raw-rows.ts';

// What other parts of the sync read and reset of a source's group links outside a batch.

type Db = Knex | Knex.Transaction;

/**
 * After an incremental run linked new members, groups that were not read may name them: forget
 * the member hashes so that the next full run diffs every group's memberships.
 */
export async function forgetMemberHashes(db: Db, orgId: string, source: string): Promise<void> {
  await db('group_links').where({ org_id: orgId, source }).update({ members_hash: null });
}

/** The groups of this source a member is in, by the external id of their directory group. */
export async function sourceGroupsOf(
  db: Db,
  orgId: string,
  source: string,
  memberId: string,
): Promise<Array<{ groupId: string; externalId: string; name: string }>> {
  const rows = await rawRows<{ id: string; name: string; external_id: string }>(
    db,
    `select g.id, g.name, gl.external_id from memberships ms
       join group_links gl on gl.group_id = ms.group_id
       join groups g on g.id = ms.group_id
      where gl.org_id = ? and gl.source = ? and ms.member_id = ?`,
    [orgId, source, memberId],
  );
  return rows.map((r) => ({ groupId: r.id, externalId: r.external_id, name: r.name }));
}
