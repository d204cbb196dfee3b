import type { Knex } from 'knex';
import type { Actor } from '../access/actor.ts';
import { linkedCount } from '../links/identity-links.ts';
import { exceedsGuard } from './deletion-guard.ts';
import { type GroupBatchContext, deleteGoneGroups, removeDeferred } from './group-sync.ts';
import { applyRemovals, planRemovals } from './member-removals.ts';
import type { SeenRecords } from './run-reading.ts';
import { inStep } from './run-step.ts';
import { notifyAdministrators } from './sync-notices.ts';
import type { SyncPolicy } from './sync-policy.ts';
import type { Counts, HeldAction, RunMode, Samples } from './sync-types.ts';

// What only a complete read may decide: which members are gone, whether removing them exceeds the
// deletion guard (the run is then held for an administrator), which memberships their members
// left, and which groups are gone. While an earlier run of the source waits for a decision, this
// run removes nobody.

export interface RunEnd {
  db: Knex;
  preview: boolean;
  runId: string | null;
  orgId: string;
  source: string;
  actor: Actor;
  policy: SyncPolicy;
  mode: RunMode;
  /** Whether the source reads groups: only then are groups gone from it deleted. */
  hasGroups: boolean;
  counts: Counts;
  samples: Samples;
  groups: GroupBatchContext;
  /** The run of this source waiting for a decision when this one started. */
  heldBefore: { id: string } | null;
}

export interface RunEndOutcome {
  /** The removals this run holds for a decision (empty unless the guard was exceeded). */
  held: HeldAction[];
  /** Removals left to the held run's decision. */
  withheld: { count: number; heldRun: string } | null;
}

export async function endOfRead(
  end: RunEnd,
  seen: SeenRecords,
  deletedExternalIds: readonly string[],
): Promise<RunEndOutcome> {
  const { db, orgId, policy, mode, counts, samples } = end;
  const reported = new Set(deletedExternalIds);
  const removals =
    mode === 'full' || reported.size > 0
      ? await planRemovals(db, orgId, policy, (id) =>
          mode === 'full' ? !seen.users.has(id) : reported.has(id),
        )
      : [];
  const removing = new Set(removals.map((r) => r.memberId));
  // Memberships of members who stay: they left their groups in the directory.
  const leftGroups = end.groups.deferred.filter((pair) => !removing.has(pair[1]));
  counts.membershipsRemoved += leftGroups.length;
  let held: HeldAction[] = [];
  let withheld: RunEndOutcome['withheld'] = null;
  let applyNow: HeldAction[] = [];
  if (end.heldBefore && removals.length > 0) {
    // Removals wait for the held run's decision; creates and updates went on.
    withheld = { count: removals.length, heldRun: end.heldBefore.id };
  } else {
    for (const r of removals) {
      counts[r.action === 'delete' ? 'deleted' : 'disabled'] += 1;
      samples.add({
        action: r.action === 'delete' ? 'deleted' : 'disabled',
        externalId: r.externalId,
        name: r.login ?? r.memberId,
        detail: 'gone from the directory',
      });
    }
    if (
      removals.length > 0 &&
      exceedsGuard(removals.length, await linkedCount(db, orgId, end.source), policy.guard)
    )
      held = removals;
    else applyNow = removals;
  }
  const removeGroups = mode === 'full' && end.hasGroups && held.length === 0 && !withheld;
  await inStep(db, end.preview, async (step) => {
    await step.write(async (trx) => {
      await removeDeferred(trx, orgId, end.actor, leftGroups);
      if (applyNow.length > 0)
        counts.membershipsRemoved += (
          await applyRemovals(trx, orgId, end.source, end.actor, applyNow)
        ).membershipsRemoved;
    });
    if (removeGroups) await deleteGoneGroups(step, end.groups, seen.groups);
    const runId = end.runId;
    if (held.length > 0 && runId)
      await step.write((trx) =>
        notifyAdministrators(trx, orgId, 'sync-held', {
          source: end.source,
          runId,
          removals: String(held.length),
        }),
      );
  });
  return { held, withheld };
}
