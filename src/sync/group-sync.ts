import { rawRows } from '../store/raw-rows.ts';
import type { Knex } from 'knex';
import type { RunStep } from './run-step.ts';
import type { Actor } from '../access/actor.ts';
import { linkedAmong, membersByRef } from '../links/identity-links.ts';
import type { SourceGroup } from '../plugin-api.ts';
import { contentHash } from './member-mapping.ts';
import type { Counts, Samples } from './sync-types.ts';

// Enterprise groups become organization groups (named by `groupNames`, else by their own name),
// and their memberships follow the directory. Only memberships of members linked to this source
// are managed: a member an administrator added by hand stays in the group.

export interface GroupBatchContext {
  orgId: string;
  source: string;
  actor: Actor;
  groupNames: Record<string, string>;
  /**
   * Whether this run created or linked members: their memberships are then diffed even in groups
   * whose member list did not change (a group may have named them before they were linked).
   */
  membersLinked(): boolean;
  counts: Counts;
  samples: Samples;
  /**
   * Whether this run read the member's record (by external id). A membership of a member it did
   * not read may be going because the member is gone: its removal waits in `deferred` until the
   * run knows its removals, so that a held removal keeps its memberships until it is decided.
   */
  userSeen(externalId: string): boolean;
  deferred: MembershipPair[];
}

/** A membership: [group id, member id]. */
export type MembershipPair = [string, string];

export function orgGroupName(group: SourceGroup, names: Record<string, string>): string {
  const byKey = new Map(Object.entries(names).map(([k, v]) => [k.toLowerCase(), v]));
  return (byKey.get(group.ref) ?? byKey.get(group.name.toLowerCase()) ?? group.name).slice(0, 256);
}

interface PlannedGroup {
  group: SourceGroup;
  name: string;
  hash: string;
  membersHash: string;
  /** The stored members hash differs: the link row is rewritten. */
  membersStale: boolean;
  /** The membership diff must run for this group. */
  membersChanged: boolean;
  id: string | null;
  action: 'create' | 'link' | 'update' | 'none';
}

/** Plans a batch of groups and hands the changes to the step (a preview drops them). */
export async function syncGroupBatch(
  step: RunStep,
  ctx: GroupBatchContext,
  groups: SourceGroup[],
): Promise<void> {
  const { orgId, source } = ctx;
  const db = step.q;
  const links = await rawRows<{
    group_id: string;
    external_id: string;
    content_hash: string;
    members_hash: string | null;
  }>(
    db,
    'select group_id, external_id, content_hash, members_hash from group_links where org_id = ? and source = ? and external_id = any(?::text[])',
    [orgId, source, groups.map((g) => g.externalId)],
  );
  const linkOf = new Map(links.map((l) => [l.external_id, l]));
  const planned: PlannedGroup[] = groups.map((group) => {
    const name = orgGroupName(group, ctx.groupNames);
    const hash = contentHash([name, group.description, group.ref]);
    const membersHash = contentHash([...group.members].sort());
    const link = linkOf.get(group.externalId);
    if (link) {
      const membersStale = link.members_hash !== membersHash;
      return {
        group,
        name,
        hash,
        membersHash,
        membersStale,
        membersChanged: membersStale || ctx.membersLinked(),
        id: link.group_id,
        action: link.content_hash === hash ? 'none' : 'update',
      };
    }
    return {
      group,
      name,
      hash,
      membersHash,
      membersStale: true,
      membersChanged: true,
      id: null,
      action: 'create',
    };
  });
  const unlinked = planned.filter((p) => p.id === null);
  if (unlinked.length > 0) {
    const rows = await rawRows<{ id: string; key: string; linked: boolean }>(
      db,
      `select g.id, lower(g.name) as key, exists (select 1 from group_links l where l.group_id = g.id) as linked
         from groups g where g.org_id = ? and lower(g.name) = any(?::text[])`,
      [orgId, unlinked.map((p) => p.name.toLowerCase())],
    );
    const byName = new Map(rows.map((r) => [r.key, r]));
    for (const p of unlinked) {
      const existing = byName.get(p.name.toLowerCase());
      if (existing?.linked) {
        ctx.counts.errors += 1;
        ctx.samples.add({
          action: 'errors',
          externalId: p.group.externalId,
          name: p.name,
          detail: 'an organization group of this name is already linked to another directory group',
        });
        p.action = 'none';
      } else if (existing) {
        p.id = existing.id;
        p.action = 'link';
      }
    }
  }
  for (const p of planned) {
    if (p.action === 'create') ctx.counts.groupsCreated += 1;
    if (p.action === 'update' || p.action === 'link') ctx.counts.groupsUpdated += 1;
    if (p.action !== 'none')
      ctx.samples.add({
        action: p.action === 'create' ? 'groupsCreated' : 'groupsUpdated',
        externalId: p.group.externalId,
        name: p.name,
      });
  }
  await step.write((trx) => writeGroups(trx, ctx, planned));
  await syncMemberships(
    step,
    ctx,
    planned.filter((p) => p.id !== null && p.membersChanged),
  );
}

async function writeGroups(
  trx: Knex.Transaction,
  ctx: GroupBatchContext,
  planned: PlannedGroup[],
): Promise<void> {
  const { orgId, source, actor } = ctx;
  const creates = planned.filter((p) => p.action === 'create');
  if (creates.length > 0) {
    const rows = await rawRows<{ id: string; name: string }>(
      trx,
      `insert into groups (org_id, name, description, source) select ?::uuid, t.name, t.description, ? from unnest(?::text[], ?::text[]) as t(name, description)
       returning id, name`,
      [orgId, source, creates.map((p) => p.name), creates.map((p) => p.group.description)],
    );
    const ids = new Map(rows.map((r) => [r.name, r.id]));
    for (const p of creates) p.id = ids.get(p.name) ?? null;
  }
  const updates = planned.filter((p) => p.action === 'update' || p.action === 'link');
  if (updates.length > 0) {
    await trx.raw(
      `update groups g set name = t.name, description = t.description, version = g.version + 1, updated_at = now()
         from unnest(?::uuid[], ?::text[], ?::text[]) as t(id, name, description) where g.id = t.id`,
      [
        updates.map((p) => p.id),
        updates.map((p) => p.name),
        updates.map((p) => p.group.description),
      ] as Knex.RawBinding[],
    );
  }
  const written = planned.filter((p) => p.id !== null && (p.action !== 'none' || p.membersStale));
  if (written.length === 0) return;
  await trx.raw(
    `insert into group_links (group_id, org_id, source, external_id, ref, content_hash, members_hash)
     select t.id, ?::uuid, ?, t.external_id, t.ref, t.hash, t.members_hash
       from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[]) as t(id, external_id, ref, hash, members_hash)
     on conflict (group_id) do update set external_id = excluded.external_id, ref = excluded.ref, content_hash = excluded.content_hash,
       members_hash = excluded.members_hash`,
    [
      orgId,
      source,
      written.map((p) => p.id),
      written.map((p) => p.group.externalId),
      written.map((p) => p.group.ref),
      written.map((p) => p.hash),
      written.map((p) => p.membersHash),
    ] as Knex.RawBinding[],
  );
  const audited = written.filter((p) => p.action !== 'none');
  if (audited.length === 0) return;
  await trx.raw(
    `insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, after)
     select ?::uuid, ?, ?, ?, t.action, 'group', t.id::text, jsonb_build_object('name', t.name, 'source', ?::text)
       from unnest(?::uuid[], ?::text[], ?::text[]) as t(id, name, action)`,
    [
      orgId,
      actor.type,
      actor.id,
      actor.label,
      source,
      audited.map((p) => p.id),
      audited.map((p) => p.name),
      audited.map((p) => (p.action === 'create' ? 'group.create' : 'group.sync')),
    ] as Knex.RawBinding[],
  );
}

async function syncMemberships(
  step: RunStep,
  ctx: GroupBatchContext,
  groups: PlannedGroup[],
): Promise<void> {
  if (groups.length === 0) return;
  const db = step.q;
  // The memberships of these groups (an index-only scan), then, for the few a diff would remove,
  // whether they belong to members of this source: a person added by hand is left alone.
  const rows = await rawRows<{ group_id: string; member_id: string }>(
    db,
    'select group_id, member_id from memberships where group_id = any(?::uuid[])',
    [groups.map((g) => g.id)] as Knex.RawBinding[],
  );
  const current = new Map<string, Set<string>>();
  for (const r of rows)
    (current.get(r.group_id) ?? current.set(r.group_id, new Set()).get(r.group_id)!).add(
      r.member_id,
    );
  const refs = await membersByRef(db, ctx.orgId, ctx.source, [
    ...new Set(groups.flatMap((g) => g.group.members)),
  ]);
  const add: MembershipPair[] = [];
  let remove: MembershipPair[] = [];
  for (const g of groups) {
    const have = current.get(g.id!) ?? new Set<string>();
    const want = new Set(
      g.group.members.map((ref) => refs.get(ref)).filter((id): id is string => id !== undefined),
    );
    for (const m of want) if (!have.has(m)) add.push([g.id!, m]);
    for (const m of have) if (!want.has(m)) remove.push([g.id!, m]);
  }
  if (remove.length > 0) {
    const linked = await linkedAmong(db, ctx.orgId, ctx.source, [
      ...new Set(remove.map((r) => r[1])),
    ]);
    const seen = new Map(
      [...linked].map(([memberId, externalId]) => [memberId, ctx.userSeen(externalId)]),
    );
    ctx.deferred.push(...remove.filter((r) => seen.get(r[1]) === false));
    remove = remove.filter((r) => seen.get(r[1]) === true);
  }
  ctx.counts.membershipsAdded += add.length;
  ctx.counts.membershipsRemoved += remove.length;
  if (add.length === 0 && remove.length === 0) return;
  await step.write(async (trx) => {
    if (add.length > 0) {
      await trx.raw(
        'insert into memberships (group_id, member_id) select * from unnest(?::uuid[], ?::uuid[]) on conflict do nothing',
        [add.map((a) => a[0]), add.map((a) => a[1])],
      );
    }
    if (remove.length > 0) {
      await trx.raw(
        'delete from memberships ms using unnest(?::uuid[], ?::uuid[]) as t(group_id, member_id) where ms.group_id = t.group_id and ms.member_id = t.member_id',
        [remove.map((a) => a[0]), remove.map((a) => a[1])],
      );
    }
    await auditMemberships(trx, ctx.orgId, ctx.actor, add, remove);
  });
}

/** Removes memberships the run deferred (their members turned out not to be removed). */
export async function removeDeferred(
  trx: Knex.Transaction,
  orgId: string,
  actor: Actor,
  pairs: MembershipPair[],
): Promise<void> {
  if (pairs.length === 0) return;
  await trx.raw(
    'delete from memberships ms using unnest(?::uuid[], ?::uuid[]) as t(group_id, member_id) where ms.group_id = t.group_id and ms.member_id = t.member_id',
    [pairs.map((a) => a[0]), pairs.map((a) => a[1])],
  );
  await auditMemberships(trx, orgId, actor, [], pairs);
}

/**
 * A removed member (gone from the directory) leaves the groups of this source; answers how many
 * memberships went. Memberships of groups an administrator made by hand stay.
 */
export async function stripSourceMemberships(
  trx: Knex.Transaction,
  orgId: string,
  source: string,
  actor: Actor,
  memberIds: string[],
): Promise<number> {
  if (memberIds.length === 0) return 0;
  const rows = await rawRows<{ group_id: string; member_id: string }>(
    trx,
    `delete from memberships ms using group_links gl
      where gl.group_id = ms.group_id and gl.org_id = ? and gl.source = ? and ms.member_id = any(?::uuid[])
      returning ms.group_id, ms.member_id`,
    [orgId, source, memberIds],
  );
  await auditMemberships(
    trx,
    orgId,
    actor,
    [],
    rows.map((r) => [r.group_id, r.member_id]),
  );
  return rows.length;
}

async function auditMemberships(
  trx: Knex.Transaction,
  orgId: string,
  actor: Actor,
  add: MembershipPair[],
  remove: MembershipPair[],
): Promise<void> {
  if (add.length === 0 && remove.length === 0) return;
  const perGroup = new Map<string, { added: number; removed: number }>();
  for (const [g] of add)
    (perGroup.get(g) ?? perGroup.set(g, { added: 0, removed: 0 }).get(g)!).added += 1;
  for (const [g] of remove)
    (perGroup.get(g) ?? perGroup.set(g, { added: 0, removed: 0 }).get(g)!).removed += 1;
  const entries = [...perGroup.entries()];
  await trx.raw(
    `insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, after)
     select ?::uuid, ?, ?, ?, 'group.members.sync', 'group', t.id::text, jsonb_build_object('added', t.added, 'removed', t.removed)
       from unnest(?::uuid[], ?::int[], ?::int[]) as t(id, added, removed)`,
    [
      orgId,
      actor.type,
      actor.id,
      actor.label,
      entries.map((e) => e[0]),
      entries.map((e) => e[1].added),
      entries.map((e) => e[1].removed),
    ],
  );
}

/** Full reconciliation: groups of this source no longer in the directory are deleted (memberships go with them). */
export async function deleteGoneGroups(
  step: RunStep,
  ctx: GroupBatchContext,
  seen: Set<string>,
): Promise<void> {
  const rows = await rawRows<{ group_id: string; external_id: string; name: string }>(
    step.q,
    'select gl.group_id, gl.external_id, g.name from group_links gl join groups g on g.id = gl.group_id where gl.org_id = ? and gl.source = ?',
    [ctx.orgId, ctx.source],
  );
  const gone = rows.filter((r) => !seen.has(r.external_id));
  ctx.counts.groupsDeleted += gone.length;
  for (const g of gone)
    ctx.samples.add({ action: 'groupsDeleted', externalId: g.external_id, name: g.name });
  if (gone.length === 0) return;
  await step.write(async (trx) => {
    await trx.raw(
      `with gone as (delete from groups where id = any(?::uuid[]) and org_id = ? returning id, name)
       insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, before)
       select ?::uuid, ?, ?, ?, 'group.delete', 'group', id::text, jsonb_build_object('name', name) from gone`,
      [
        gone.map((g) => g.group_id),
        ctx.orgId,
        ctx.orgId,
        ctx.actor.type,
        ctx.actor.id,
        ctx.actor.label,
      ],
    );
  });
}
