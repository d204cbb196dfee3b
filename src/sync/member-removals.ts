import { rawRows } from '../store/raw-rows.ts';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.ts';
import { externalIdsOfSource, linksOfSource, markDisabledBySync } from '../links/identity-links.ts';
import { stripSourceMemberships } from './group-sync.ts';
import type { SyncPolicy } from './sync-policy.ts';
import type { HeldAction } from './sync-types.ts';

// Members whose directory record is gone (not seen by a complete full read, or reported deleted
// by the directory): the source's `onDeleted` reaction, planned first so that the deletion guard
// can hold it, applied in one statement per kind.

type Db = Knex | Knex.Transaction;

/**
 * `gone(externalId)` says whether a linked record has disappeared. Only the external ids of the
 * source's links are read whole; the details are read for the gone ones, which a full read of an
 * unchanged directory leaves none of.
 */
export async function planRemovals(
  db: Db,
  orgId: string,
  policy: SyncPolicy,
  gone: (externalId: string) => boolean,
): Promise<HeldAction[]> {
  if (policy.onDeleted === 'ignore') return [];
  const action = policy.onDeleted;
  const goneIds = (await externalIdsOfSource(db, orgId, policy.source)).filter(gone);
  if (goneIds.length === 0) return [];
  return (await linksOfSource(db, orgId, policy.source, goneIds))
    .filter((r) => action === 'delete' || r.status !== 'disabled')
    .map((r) => ({ memberId: r.memberId, externalId: r.externalId, login: r.login, action }));
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
    const rows = await rawRows<{ id: string }>(
      trx,
      `with gone as (
         delete from members m where m.org_id = ? and m.id = any(?::uuid[])
           and not exists (select 1 from resources r where r.owner_member_id = m.id) returning m.id, m.username
       ), logged as (
         ${audit} select ?::uuid, ?, ?, ?, 'member.delete', 'member', id::text, jsonb_build_object('username', username), jsonb_build_object('reason', 'gone from ' || ?::text) from gone
       ) select id from gone`,
      [orgId, remove, ...who, source],
    );
    const deleted = new Set(rows.map((r) => r.id));
    keptOwners = remove.filter((id) => !deleted.has(id));
  }
  const toDisable = [...disable, ...keptOwners];
  if (toDisable.length > 0) {
    await trx.raw(
      `with off as (
         update members m set status = 'disabled', version = m.version + 1, updated_at = now()
          where m.org_id = ? and m.id = any(?::uuid[]) and m.status <> 'disabled' returning m.id
       )
       ${audit} select ?::uuid, ?, ?, ?, 'member.disable', 'member', id::text, null, jsonb_build_object('reason', 'gone from ' || ?::text) from off`,
      [orgId, toDisable, ...who, source],
    );
    await markDisabledBySync(trx, orgId, source, toDisable);
  }
  return { keptOwners, membershipsRemoved };
}
