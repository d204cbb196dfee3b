import type { MemberRow } from '../store/tables/members.ts';
import type { Knex } from 'knex';
import { inStep } from './run-step.ts';
import type { Actor } from '../access/actor.ts';
import { loadCatalog } from '../catalog/catalog-store.ts';
import { findOrganization } from '../orgs/organizations.ts';
import type { SourceUser } from '../plugin-api.ts';
import { type DesiredMember, type MappingContext, mapUser } from './member-mapping.ts';
import { type ReactionContext, type UnmatchedReaction, unmatchedReaction } from './reactions.ts';
import type { SyncPolicy } from './sync-policy.ts';
import type { AttributeChange, Counts, Samples } from './sync-types.ts';
import { type MemberUpdate, type NewMember, applyUpdates, correlateBatch } from './user-store.ts';
import { planUser } from './user-plan.ts';
import type { MembersBeingCreated } from './members-being-created.ts';
import type { SharedMemberFields } from '../members/member-bulk-insert.ts';
import { newMemberTypeAndRole, newMemberTypeAndRoleIds } from '../members/new-member-defaults.ts';
import { sharedDefaults } from '../members/shared-defaults.ts';

// One batch of users: map, correlate with one look-up per kind, plan, and (unless previewing)
// apply in one transaction.

export interface UserBatchContext {
  db: Knex;
  /** Reactions to unmatched records beyond the engine's create and ignore. */
  reactions: readonly UnmatchedReaction[];
  preview: boolean;
  orgId: string;
  policy: SyncPolicy;
  actor: Actor;
  counts: Counts;
  samples: Samples;
  /** Members linked during this run: a second record correlating to one of them is disputed. */
  claimed: Set<string>;
  /** The members earlier batches of this run create, for batches planned before those commit. */
  creating: MembersBeingCreated;
  mapping: MappingContext & {
    defaultIds: { userTypeId: string; roleId: string };
    shared: SharedMemberFields;
  };
  clock: () => Date;
}

export async function mappingContext(
  db: Knex,
  orgId: string,
  policy: SyncPolicy,
): Promise<UserBatchContext['mapping']> {
  const catalog = await loadCatalog(db, orgId);
  const org = await findOrganization(db, orgId);
  return {
    catalog,
    rules: policy.roleRules,
    defaults: newMemberTypeAndRole(org.newMemberDefaults),
    standInEmail: org.newMemberDefaults.standInEmail ?? null,
    defaultIds: newMemberTypeAndRoleIds(catalog, org.newMemberDefaults),
    shared: await sharedDefaults(db, orgId, org.newMemberDefaults),
  };
}

const FIELDS = [
  ['email', 'email'],
  ['firstName', 'first_name'],
  ['lastName', 'last_name'],
  ['displayName', 'display_name'],
] as const;

interface MemberBefore {
  columns: Pick<MemberRow, 'id' | 'status' | (typeof FIELDS)[number][1]>;
  directory: Record<string, string>;
}

/** The member fields a sync may change, as they are before this batch, for the change list's diffs. */
async function membersBefore(
  q: Knex | Knex.Transaction,
  ids: string[],
): Promise<Map<string, MemberBefore>> {
  if (ids.length === 0) return new Map();
  const rows = await q('members')
    .whereIn('id', ids)
    .select('id', 'status', 'profile', ...FIELDS.map(([, column]) => column));
  return new Map(
    rows.map(({ profile, ...columns }) => [
      columns.id,
      { columns, directory: profile.directory ?? {} },
    ]),
  );
}

function attributeChanges(
  was: MemberBefore | undefined,
  member: DesiredMember,
  status: 'active' | 'disabled' | 'keep',
): AttributeChange[] {
  if (!was) return [];
  const { columns, directory } = was;
  const changes: AttributeChange[] = [];
  for (const [field, column] of FIELDS)
    if ((columns[column] ?? null) !== member[field])
      changes.push({ field, before: columns[column] ?? null, after: member[field] });
  const profileFields = new Set([...Object.keys(directory), ...Object.keys(member.profile)]);
  for (const field of [...profileFields].sort())
    if ((directory[field] ?? null) !== (member.profile[field] ?? null))
      changes.push({
        field: `directory.${field}`,
        before: directory[field] ?? null,
        after: member.profile[field] ?? null,
      });
  if (status !== 'keep' && columns.status !== status)
    changes.push({ field: 'status', before: columns.status ?? null, after: status });
  return changes;
}

/**
 * Maps, correlates, plans and applies one batch. `planned` is called once the plan is made and
 * only the write is left, so that the next batch may plan while this one writes.
 */
export async function processUsers(
  ctx: UserBatchContext,
  batch: SourceUser[],
  planned: () => void = () => undefined,
): Promise<void> {
  const { counts, samples, policy } = ctx;
  const mapped = batch.map((u) => mapUser(u, ctx.mapping));
  const reaction = unmatchedReaction(policy.onUnmatched, ctx.reactions);
  const creating: Array<[DesiredMember, string]> = [];
  await inStep(ctx.db, ctx.preview, async (step) => {
    const q = step.q;
    const keys = batch.map((u, i) => {
      const m = mapped[i]!;
      return {
        externalId: u.externalId,
        username: m.ok ? m.member.username : null,
        email: m.ok ? m.member.email : null,
      };
    });
    const correlations = await correlateBatch(q, ctx.orgId, policy.source, keys, policy.correlate);
    const updates: MemberUpdate[] = [];
    const unmatched: NewMember[] = [];
    const decisions = batch.map((user, i) =>
      planUser(user, mapped[i]!, ctx.creating.addTo(correlations[i]!, keys[i]!), policy.correlate),
    );
    const before = await membersBefore(
      q,
      decisions.flatMap((d) => (d.kind === 'update' || d.kind === 'link' ? [d.memberId] : [])),
    );
    batch.forEach((user, i) => {
      const d = decisions[i]!;
      // Most records of a resync are unchanged: they are counted and nothing is built for them.
      if (d.kind === 'unchanged') {
        counts.unchanged += 1;
        return;
      }
      const sample = {
        externalId: user.externalId,
        name: user.login,
        ...((d.kind === 'update' || d.kind === 'link') && {
          attributes: attributeChanges(before.get(d.memberId), d.member, d.status),
        }),
      };
      switch (d.kind) {
        case 'update': {
          const change =
            d.status === 'disabled' && d.wasStatus !== 'disabled'
              ? 'disabled'
              : d.status === 'active' && d.wasStatus === 'disabled'
                ? 'enabled'
                : 'updated';
          counts[change] += 1;
          samples.add({ action: change, ...sample });
          updates.push({
            memberId: d.memberId,
            externalId: user.externalId,
            login: user.login,
            ref: user.ref,
            member: d.member,
            status: d.status,
            disabledBySync: d.disabledBySync,
          });
          return;
        }
        case 'link':
          if (ctx.claimed.has(d.memberId)) {
            counts.disputed += 1;
            samples.add({
              action: 'disputed',
              ...sample,
              detail: 'another record of this run already correlated with the same member',
            });
            return;
          }
          ctx.claimed.add(d.memberId);
          counts.linked += 1;
          samples.add({ action: 'linked', ...sample });
          updates.push({
            memberId: d.memberId,
            externalId: user.externalId,
            login: user.login,
            ref: user.ref,
            member: d.member,
            status: d.status,
            disabledBySync: d.member.disabled,
          });
          return;
        case 'unmatched':
          counts[reaction.count] += 1;
          samples.add({ action: reaction.count, ...sample });
          if (reaction.name === 'create' && !ctx.preview) {
            ctx.creating.add(d.member, user.externalId);
            creating.push([d.member, user.externalId]);
          }
          unmatched.push({
            externalId: user.externalId,
            login: user.login,
            ref: user.ref,
            member: d.member,
          });
          return;
        case 'disputed':
        case 'error':
          counts[d.kind === 'disputed' ? 'disputed' : 'errors'] += 1;
          samples.add({
            action: d.kind === 'disputed' ? 'disputed' : 'errors',
            ...sample,
            detail: d.reason,
          });
      }
    });
    ctx.creating.batchPlanned();
    planned();
    await step.write(async (trx) => {
      await applyUpdates(trx, ctx.orgId, policy.source, ctx.actor, updates);
      const rctx: ReactionContext = {
        orgId: ctx.orgId,
        source: policy.source,
        actor: ctx.actor,
        defaults: ctx.mapping.defaultIds,
        shared: ctx.mapping.shared,
        reinviteAfterExpiry: policy.reinviteAfterExpiry,
        now: ctx.clock(),
      };
      for (const failure of await reaction.apply(trx, rctx, unmatched)) {
        counts[reaction.count] -= 1;
        ctx.creating.forget(failure.record.member, failure.record.externalId);
        if (failure.unchanged) {
          counts.unchanged += 1;
          continue;
        }
        counts.errors += 1;
        samples.add({
          action: 'errors',
          externalId: failure.record.externalId,
          name: failure.record.login,
          detail: failure.reason,
        });
      }
    });
  });
  ctx.creating.committedBatch(creating);
}
