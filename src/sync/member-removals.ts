import type { Knex } from 'knex';
import type { Actor } from '../access/actor.ts';
import { stripSourceMemberships } from './group-sync.ts';
import type { SyncPolicy } from './sync-policy.ts';
import type { HeldAction } from './sync-types.ts';

// Members whose directory record is gone (not seen by a complete full read, or reported deleted
// by the directory): the source's `onDeleted` reaction, planned first so that the deletion guard
// can hold it, applied in one statement per kind.

type Db = Knex | Knex.Transaction;

export async function linkedCount(db: Db, orgId: string, source: string): Promise<number> {
  const { rows } = (await db.raw(
    'select count(*)::int as n from identity_links where org_id = ? and source = ?',
    [orgId, source],
  )) as { rows: Array<{ n: number }> };
  return rows[0]?.n ?? 0;
}

/** `gone(externalId)` says whether a linked record has disappeared. */
export async function planRemovals(
  db: Db,
  orgId: string,
  policy: SyncPolicy,
  gone: (externalId: string) => boolean,
): Promise<HeldAction[]> {
  if (policy.onDeleted === 'ignore') return [];
  const { rows } = (await db.raw(
    `select l.external_id, l.member_id, l.login, m.status from identity_links l join members m on m.id = l.member_id
      where l.org_id = ? and l.source = ?`,
    [orgId, policy.source],
  )) as {
    rows: Array<{ external_id: string; member_id: string; login: string | null; status: string }>;
  };
  const action = policy.onDeleted;
  return rows
    .filter((r) => gone(r.external_id) && (action === 'delete' || r.status !== 'disabled'))
    .map((r) => ({ memberId: r.member_id, externalId: r.external_id, login: r.login, action }));
}

/**
 * Applies removals: the members leave this source's groups, then are disabled or deleted. A
 * member who owns resources is disabled rather than deleted (deleting would need an owner to
 * transfer them to); the returned ids say which.
 */
export async function applyRemovals(
  trx: Knex.Transaction,
  orgId: string,
  source: string,
  actor: Actor,
  actions: HeldAction[],
): Promise<{ keptOwners: string[]; membershipsRemoved: number }> {
  const membershipsRemoved = await stripSourceMemberships(
    trx,
    orgId,
    source,
    actor,
    actions.map((a) => a.memberId),
  );
  const disable = actions.filter((a) => a.action === 'disable').map((a) => a.memberId);
  const remove = actions.filter((a) => a.action === 'delete').map((a) => a.memberId);
  const audit = `insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, before, after)`;
  const who = [orgId, actor.type, actor.id, actor.label] as Knex.RawBinding[];
  let keptOwners: string[] = [];
  if (remove.length > 0) {
    const { rows } = (await trx.raw(
      `with gone as (
         delete from members m where m.org_id = ? and m.id = any(?::uuid[])
           and not exists (select 1 from resources r where r.owner_member_id = m.id) returning m.id, m.username
       ), logged as (
         ${audit} select ?::uuid, ?, ?, ?, 'member.delete', 'member', id::text, jsonb_build_object('username', username), jsonb_build_object('reason', 'gone from ' || ?::text) from gone
       ) select id from gone`,
      [orgId, remove, ...who, source],
    )) as { rows: Array<{ id: string }> };
    const deleted = new Set(rows.map((r) => r.id));
    keptOwners = remove.filter((id) => !deleted.has(id));
  }
  const toDisable = [...disable, ...keptOwners];
  if (toDisable.length > 0) {
    await trx.raw(
      `with off as (
         update members m set status = 'disabled', version = m.version + 1, updated_at = now()
          where m.org_id = ? and m.id = any(?::uuid[]) and m.status <> 'disabled' returning m.id
       ), marked as (
         update identity_links l set disabled_by_sync = true, updated_at = now() where l.source = ? and l.member_id = any(?::uuid[])
       )
       ${audit} select ?::uuid, ?, ?, ?, 'member.disable', 'member', id::text, null, jsonb_build_object('reason', 'gone from ' || ?::text) from off`,
      [orgId, toDisable, source, toDisable, ...who, source],
    );
  }
  return { keptOwners, membershipsRemoved };
}
