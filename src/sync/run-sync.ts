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
  type SourceRead,
  canReadAll,
  canReadChanges,
} from '../plugin-api.ts';
import { forgetMemberHashes } from './group-links.ts';
import type { GroupBatchContext } from './group-sync.ts';
import { errorCode } from './source-health.ts';
import type { UnmatchedReaction } from './reactions.ts';
import { mappingContext, type UserBatchContext } from './user-batch.ts';
import { policyOf } from './sync-policy.ts';
import { inSpan } from '../observability/tracing.ts';
import type { SourceRegistry } from '../sources/source-registry.ts';
import { recordChanges } from './run-changes.ts';
import { endOfRead } from './run-end.ts';
import { recordHealth, recordMetrics } from './run-outcome.ts';
import { type SeenRecords, readInBatches } from './run-reading.ts';
import {
  createRun,
  failOrphanedRuns,
  finishRun,
  heldRunOf,
  recordProgress,
  type SyncRun,
} from './sync-runs.ts';
import { acquireLease, readToken, releaseLease, renewLease, saveToken } from './sync-state.ts';
import { TableStatistics } from './table-statistics.ts';
import { type HeldAction, type RunMode, Samples, emptyCounts } from './sync-types.ts';
import { MembersBeingCreated } from './members-being-created.ts';

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
  /**
   * How many batches of users a run may write at once, each on its own connection: 1 on the
   * embedded database (one connection), more on PostgreSQL, where each uses a backend of its own.
   */
  writers?: number;
}

export interface SyncOptions {
  mode: RunMode;
  preview: boolean;
  trigger: 'cli' | 'api' | 'schedule';
}

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
      await statistics.afterGrowth({
        users: counts.created + counts.linked,
        groups: counts.groupsCreated + counts.membershipsAdded,
      });
    if (!options.preview && Date.now() - lastRenew > 30_000) {
      lastRenew = Date.now();
      if (!(await renewLease(db, orgId, sourceName, owner)))
        throw new ConflictError(
          `the run of "${sourceName}" lost its lease to another process and stopped`,
        );
    }
  };

  try {
    if ('error' in opened) throw opened.error;
    const { read } = opened;
    const seen: SeenRecords = { users: new Set(), groups: new Set() };
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
      creating: new MembersBeingCreated(),
      mapping: await mappingContext(db, orgId, policy),
      clock: deps.clock ?? (() => new Date()),
    };
    const groupCtx: GroupBatchContext = {
      orgId,
      source: sourceName,
      actor,
      groupNames: policy.groupNames,
      counts,
      samples,
      membersLinked: () => counts.created + counts.linked + counts.enabled > 0,
      userSeen: (externalId) => seen.users.has(externalId),
      deferred: [],
    };
    // Only the engine's own reactions know to tell later batches what they create (user-batch.ts).
    const ownReaction = policy.onUnmatched === 'create' || policy.onUnmatched === 'ignore';
    const writers = options.preview || !ownReaction ? 1 : (deps.writers ?? 1);
    await readInBatches(read, userCtx, groupCtx, seen, renew, writers);
    if (!options.preview && mode === 'incremental' && groupCtx.membersLinked())
      await forgetMemberHashes(db, orgId, sourceName);
    // The read is complete: only now may records that are absent be taken for deleted.
    const end = await endOfRead(
      {
        db,
        preview: options.preview,
        runId,
        orgId,
        source: sourceName,
        actor,
        policy,
        mode,
        hasGroups: entryHasGroups(entry),
        counts,
        samples,
        groups: groupCtx,
        heldBefore,
      },
      seen,
      read.deletedExternalIds(),
    );
    held = end.held;
    withheld = end.withheld;
    if (held.length > 0 && !options.preview) status = 'held';
    tokenAfter = read.nextToken();
    if (!options.preview) await saveToken(db, orgId, sourceName, tokenAfter);
  } catch (failure) {
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
  recordMetrics(deps.metrics, sourceName, mode, status, counts, (Date.now() - started) / 1000);
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

function entryHasGroups(entry: SourceConfig): boolean {
  return 'groups' in entry && entry.groups !== undefined;
}
