import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor, Scope } from '../access/actor.ts';
import { requireAdministrator } from '../access/actor.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import {
  InvalidChangeTokenError,
  type SourceConfig,
  type ReadableSource,
  type SourceGroup,
  type SourceRead,
  type SourceUser,
  canReadAll,
  canReadChanges,
} from '../plugin-api.ts';
import { exceedsGuard } from './deletion-guard.ts';
import {
  type GroupBatchContext,
  deleteGoneGroups,
  forgetMemberHashes,
  removeDeferred,
  syncGroupBatch,
} from './group-sync.ts';
import { type HealthPolicy, errorCode, recordFailure, recordSuccess } from './source-health.ts';
import { notifyAdministrators } from './sync-notices.ts';
import { linkedCount } from '../links/identity-links.ts';
import { applyRemovals, planRemovals } from './member-removals.ts';
import type { UnmatchedReaction } from './reactions.ts';
import { mappingContext, processUsers, type UserBatchContext } from './user-batch.ts';
import { policyOf } from './sync-policy.ts';
import { inSpan } from '../observability/tracing.ts';
import type { SourceRegistry } from '../sources/source-registry.ts';
import { recordChanges } from './run-changes.ts';
import {
  createRun,
  failOrphanedRuns,
  finishRun,
  heldRunOf,
  recordProgress,
  type SyncRun,
} from './sync-runs.ts';
import { acquireLease, readToken, releaseLease, renewLease, saveToken } from './sync-state.ts';
import { inStep } from './run-step.ts';
import { TableStatistics } from './table-statistics.ts';
import { type Counts, type HeldAction, type RunMode, Samples, emptyCounts } from './sync-types.ts';

// read → map → correlate (batched) → plan → apply (batched transactions, audited) → run record.
// A read failure ends the run before any removal is planned; removals above the deletion guard
// hold the run for an administrator. A preview is a mode of the same run: its steps plan without a
// transaction and drop their writes (run-step.ts), and it records nothing, not even a run record.

export interface SyncDeps {
  db: Knex;
  sources: SourceRegistry<SourceConfig>;
  /** Reactions to unmatched records beyond create and ignore (the invitations' `invite`). */
  reactions?: readonly UnmatchedReaction[];
  log: Logger;
  metrics?: Metrics | undefined;
  /** The time the reactions date their writes by (an invitation's expiry); tests move it. */
  clock?: () => Date;
  /** This process's instance (cluster/instances.ts): its leases are freed the moment it dies. */
  instanceId?: string | null;
}

export interface SyncOptions {
  mode: RunMode;
  preview: boolean;
  trigger: 'cli' | 'api' | 'schedule';
}

const USER_BATCH = 5000;
const GROUP_BATCH = 500;

/** One sync run, traced as a span `sync.run` carrying the source and the run's id. */
export function runSync(
  deps: SyncDeps,
  scope: Scope,
  sourceName: string,
  options: SyncOptions,
): Promise<SyncRun> {
  return inSpan(
    'sync.run',
    { 'provisiond.source': sourceName, 'provisiond.sync.preview': options.preview },
    async (span) => {
      const run = await runSyncTraced(deps, scope, sourceName, options);
      span.setAttributes({
        'provisiond.run_id': run.id ?? '',
        'provisiond.sync.mode': run.mode,
        'provisiond.sync.status': run.status,
      });
      return run;
    },
  );
}

async function runSyncTraced(
  deps: SyncDeps,
  scope: Scope,
  sourceName: string,
  options: SyncOptions,
): Promise<SyncRun> {
  requireAdministrator(scope.actor, 'running a directory sync');
  const { db } = deps;
  const { orgId } = scope;
  const entry = deps.sources.config(sourceName);
  const policy = policyOf(entry);
  const source = deps.sources.get(orgId, sourceName);
  if (!canReadAll(source))
    throw ValidationError.field(
      'source',
      `the source "${sourceName}" (type ${entry.type}) is not a directory that can be read`,
    );
  const owner = randomUUID();
  if (
    !options.preview &&
    !(await acquireLease(db, orgId, sourceName, owner, deps.instanceId ?? null))
  ) {
    throw new ConflictError(`a run of the source "${sourceName}" is already in progress`, {
      source: sourceName,
    });
  }
  // Holding the lease, no other run of this source is in progress: one still marked running was
  // left by a process that died.
  if (!options.preview) await failOrphanedRuns(db, { orgId, source: sourceName });
  const started = Date.now();
  const tokenBefore = await readToken(db, orgId, sourceName);
  const opened = openRead(source, options.mode === 'incremental' ? tokenBefore : null, deps.log);
  const mode: RunMode = 'read' in opened ? opened.mode : 'full';
  const runId = options.preview
    ? null
    : await createRun(db, orgId, {
        source: sourceName,
        mode,
        trigger: options.trigger,
        tokenBefore,
        instanceId: deps.instanceId ?? null,
      });
  const actor: Actor = {
    type: 'system',
    id: runId,
    label: `sync ${sourceName}`,
    access: 'administrator',
  };
  const counts = emptyCounts();
  const samples = new Samples(!options.preview);
  let status: SyncRun['status'] = options.preview ? 'preview' : 'succeeded';
  let error: string | null = null;
  let held: HeldAction[] = [];
  let tokenAfter: string | null = null;
  let errorCodeOf: string | null = null;
  let withheld: { count: number; heldRun: string } | null = null;
  // While a run of this source waits for a decision, this run removes nobody.
  const heldBefore = options.preview || runId ? await heldRunOf(db, orgId, sourceName) : null;
  let lastRenew = Date.now();
  const statistics = new TableStatistics(db);
  const renew = async () => {
    if (runId) {
      await recordProgress(db, runId, counts);
      await recordChanges(db, runId, samples.drain());
    }
    if (!options.preview)
      await statistics.afterGrowth(counts.created + counts.linked + counts.membershipsAdded);
    if (!options.preview && Date.now() - lastRenew > 30_000) {
      lastRenew = Date.now();
      if (!(await renewLease(db, orgId, sourceName, owner)))
        throw new ConflictError(
          `the run of "${sourceName}" lost its lease to another process and stopped`,
        );
    }
  };

  let applying: Promise<void> = Promise.resolve();
  try {
    const userCtx: UserBatchContext = {
      db,
      reactions: deps.reactions ?? [],
      preview: options.preview,
      orgId,
      policy,
      actor,
      counts,
      samples,
      claimed: new Set(),
      mapping: await mappingContext(db, orgId, policy),
      clock: deps.clock ?? (() => new Date()),
    };
    if ('error' in opened) throw opened.error;
    const { read } = opened;
    const seenUsers = new Set<string>();
    const seenGroups = new Set<string>();
    let users: SourceUser[] = [];
    let groups: SourceGroup[] = [];
    const groupCtx: GroupBatchContext = {
      orgId,
      source: sourceName,
      actor,
      groupNames: policy.groupNames,
      counts,
      samples,
      membersLinked: () => counts.created + counts.linked + counts.enabled > 0,
      userSeen: (externalId) => seenUsers.has(externalId),
      deferred: [],
    };
    // A batch is applied while the next one is read: the directory and the database work at the
    // same time, and batches still apply one after the other, in order.
    const flushUsers = async () => {
      if (users.length === 0) return;
      const batch = users;
      users = [];
      await applying;
      applying = processUsers(userCtx, batch).then(renew);
      applying.catch(() => undefined);
    };
    const usersDone = async () => {
      await flushUsers();
      await applying;
    };
    const flushGroups = async () => {
      if (groups.length === 0) return;
      const batch = groups;
      groups = [];
      await inStep(db, options.preview, (step) => syncGroupBatch(step, groupCtx, batch));
      await renew();
    };
    for await (const record of read.records) {
      if (record.kind === 'user') {
        seenUsers.add(record.externalId);
        users.push(record);
        if (users.length >= USER_BATCH) await flushUsers();
      } else {
        await usersDone();
        seenGroups.add(record.externalId);
        groups.push(record);
        if (groups.length >= GROUP_BATCH) await flushGroups();
      }
    }
    await usersDone();
    await flushGroups();
    if (!options.preview && mode === 'incremental' && groupCtx.membersLinked())
      await forgetMemberHashes(db, orgId, sourceName);

    // The read is complete: only now may records that are absent be taken for deleted.
    const reported = new Set(read.deletedExternalIds());
    const removals =
      mode === 'full' || reported.size > 0
        ? await planRemovals(db, orgId, policy, (id) =>
            mode === 'full' ? !seenUsers.has(id) : reported.has(id),
          )
        : [];
    const removing = new Set(removals.map((r) => r.memberId));
    // Memberships of members who stay: they left their groups in the directory.
    const leftGroups = groupCtx.deferred.filter((pair) => !removing.has(pair[1]));
    counts.membershipsRemoved += leftGroups.length;
    let applyNow: HeldAction[] = [];
    if (heldBefore && removals.length > 0) {
      // Removals wait for the held run's decision; creates and updates went on.
      withheld = { count: removals.length, heldRun: heldBefore.id };
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
        exceedsGuard(removals.length, await linkedCount(db, orgId, sourceName), policy.guard)
      ) {
        held = removals;
        if (!options.preview) status = 'held';
      } else applyNow = removals;
    }
    const removeGroups = mode === 'full' && entryHasGroups(entry) && held.length === 0 && !withheld;
    await inStep(db, options.preview, async (step) => {
      await step.write(async (trx) => {
        await removeDeferred(trx, orgId, actor, leftGroups);
        if (applyNow.length > 0)
          counts.membershipsRemoved += (
            await applyRemovals(trx, orgId, sourceName, actor, applyNow)
          ).membershipsRemoved;
      });
      if (removeGroups) await deleteGoneGroups(step, groupCtx, seenGroups);
      if (status === 'held' && runId)
        await step.write((trx) =>
          notifyAdministrators(trx, orgId, 'sync-held', {
            source: sourceName,
            runId,
            removals: String(held.length),
          }),
        );
    });
    tokenAfter = read.nextToken();
    if (!options.preview) await saveToken(db, orgId, sourceName, tokenAfter);
  } catch (failure) {
    // A batch may still be applying: let it end before the run record and the lease are written.
    await applying.catch(() => undefined);
    status = 'failed';
    error = (failure as Error).message || String(failure);
    errorCodeOf = errorCode(failure);
    deps.log.warn(
      { source: sourceName, runId, errorCode: errorCodeOf, err: failure },
      'sync run failed',
    );
  } finally {
    if (!options.preview) {
      if (runId) await recordChanges(db, runId, samples.drain());
      if (runId)
        await finishRun(db, runId, {
          status,
          counts,
          samples: samples.byKind,
          held,
          error,
          tokenAfter,
          withheld,
        });
      await releaseLease(db, orgId, sourceName, owner);
    }
  }
  if (!options.preview) {
    await recordHealth(deps, orgId, sourceName, policy.health, {
      failed: status === 'failed',
      error: error ?? '',
      code: errorCodeOf,
    });
    deps.metrics?.syncHeld.set({ source: sourceName }, heldBefore || status === 'held' ? 1 : 0);
  }
  record(deps.metrics, sourceName, mode, status, counts, (Date.now() - started) / 1000);
  deps.log.info(
    { source: sourceName, runId, mode, status, counts, seconds: (Date.now() - started) / 1000 },
    'sync run finished',
  );
  return {
    id: runId,
    source: sourceName,
    mode,
    status,
    trigger: options.trigger,
    counts,
    samples: samples.byKind,
    held: held.length,
    error,
    tokenBefore,
    tokenAfter,
    decidedBy: null,
    decidedAt: null,
    withheld: withheld?.count ?? 0,
    withheldFor: withheld?.heldRun ?? null,
    decision: null,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
  };
}

/**
 * The read of this run: the changes since the token when there is one and the source can tell
 * them, else everything. A token the source cannot use is no failure: everything is read instead.
 * An error is handed back so that the run records it.
 */
function openRead(
  source: ReadableSource,
  token: string | null,
  log: Logger,
): { read: SourceRead; mode: RunMode } | { error: unknown } {
  try {
    if (token !== null && canReadChanges(source)) {
      try {
        return { read: source.readChanges(token), mode: 'incremental' };
      } catch (error) {
        if (!(error instanceof InvalidChangeTokenError)) throw error;
        log.warn({ source: source.name, err: error }, 'change token refused: reading everything');
      }
    }
    return { read: source.readAll(), mode: 'full' };
  } catch (error) {
    return { error };
  }
}

/** A failed run counts against the source's health (and may quarantine it); any other resets it. */
async function recordHealth(
  deps: SyncDeps,
  orgId: string,
  source: string,
  policy: HealthPolicy,
  outcome: { failed: boolean; error: string; code: string | null },
): Promise<void> {
  if (!outcome.failed) {
    await recordSuccess(deps.db, orgId, source);
    deps.metrics?.syncQuarantined.set({ source }, 0);
    return;
  }
  const { health, quarantinedNow } = await recordFailure(
    deps.db,
    orgId,
    source,
    { message: outcome.error, code: outcome.code },
    policy,
  );
  if (!quarantinedNow) return;
  deps.metrics?.syncQuarantined.set({ source }, 1);
  deps.log.error(
    { source, failures: health.failures, errorCode: outcome.code },
    'source quarantined after repeated failures: its schedule is paused until it is resumed',
  );
  await deps.db.transaction((trx) =>
    notifyAdministrators(trx, orgId, 'source-quarantined', {
      source,
      failures: String(health.failures),
      error: outcome.error,
      code: outcome.code,
    }),
  );
}

function entryHasGroups(entry: SourceConfig): boolean {
  return 'groups' in entry && entry.groups !== undefined;
}

function record(
  metrics: Metrics | undefined,
  source: string,
  mode: RunMode,
  status: string,
  counts: Counts,
  seconds: number,
): void {
  if (!metrics || status === 'preview') return;
  metrics.syncRuns.inc({ source, mode, status });
  metrics.syncDuration.observe({ source, mode }, seconds);
  for (const [change, n] of Object.entries(counts))
    if (n > 0) metrics.syncChanges.inc({ source, change }, n);
  if (status === 'succeeded') metrics.syncLastSuccess.set({ source }, Date.now() / 1000);
}
