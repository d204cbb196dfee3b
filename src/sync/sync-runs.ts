import type { Knex } from 'knex';
import { instanceAlive } from '../cluster/instances.ts';
import { NotFoundError } from '../errors.ts';
import { affectedRows } from '../store/affected-rows.ts';
import type { SyncRunRow } from '../store/tables/sync.ts';
import {
  type Change,
  type CountKey,
  type Counts,
  type HeldAction,
  type RunMode,
  type RunStatus,
  emptyCounts,
} from './sync-types.ts';

// Run records: one row per sync run (previews write none), with counts, samples of each kind of
// change, the error of a failed run, and the held removals of a held run.

export interface SyncRun {
  id: string | null;
  source: string;
  mode: RunMode;
  status: RunStatus;
  trigger: string;
  counts: Counts;
  samples: Partial<Record<CountKey, Change[]>>;
  held: number;
  error: string | null;
  tokenBefore: string | null;
  tokenAfter: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  /** Removals found but left alone because an earlier run of the source is held, and that run. */
  withheld: number;
  withheldFor: string | null;
  /** A decided held run: removals applied, and records back in the directory (not removed). */
  decision: RunDecision | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface RunDecision {
  applied: number;
  returned: number;
}

// The shapes of the run record's jsonb columns, written here.
declare module '../store/tables/column-types.ts' {
  interface ColumnTypes {
    'sync_runs.counts': Counts;
    'sync_runs.samples': SyncRun['samples'];
    'sync_runs.held': HeldAction[];
    'sync_runs.decision': RunDecision;
  }
}

function toRun(row: SyncRunRow): SyncRun {
  const started = new Date(row.started_at);
  const finished = row.finished_at === null ? null : new Date(row.finished_at);
  return {
    id: row.id,
    source: row.source,
    mode: row.mode,
    status: row.status,
    trigger: row.trigger,
    counts: { ...emptyCounts(), ...row.counts },
    samples: row.samples,
    held: row.held?.length ?? 0,
    error: row.error,
    tokenBefore: row.token_before,
    tokenAfter: row.token_after,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
    withheld: row.withheld,
    withheldFor: row.withheld_for,
    decision: row.decision,
    startedAt: started.toISOString(),
    finishedAt: finished?.toISOString() ?? null,
    durationMs: finished ? finished.getTime() - started.getTime() : null,
  };
}

export async function createRun(
  db: Knex,
  orgId: string,
  run: {
    source: string;
    mode: RunMode;
    trigger: string;
    tokenBefore: string | null;
    instanceId?: string | null;
  },
): Promise<string> {
  const [row] = await db('sync_runs')
    .insert({
      org_id: orgId,
      source: run.source,
      mode: run.mode,
      trigger: run.trigger,
      status: 'running',
      token_before: run.tokenBefore,
      instance_id: run.instanceId ?? null,
    })
    .returning('id');
  return (row as { id: string }).id;
}

/**
 * Runs left `running` by a process that is gone are failed, with why: nothing will finish them.
 * With `source`, also those with no process recorded (a release before instances existed): the
 * caller has just taken the source's lease, so no run of it is in progress.
 */
export async function failOrphanedRuns(
  db: Knex,
  scope?: { orgId: string; source: string },
): Promise<number> {
  const query = db('sync_runs').where('status', 'running');
  if (scope)
    query
      .andWhere({ org_id: scope.orgId, source: scope.source })
      .andWhere((q) =>
        q.whereNull('instance_id').orWhereRaw(`not ${instanceAlive('sync_runs.instance_id')}`),
      );
  else
    query.whereNotNull('instance_id').andWhereRaw(`not ${instanceAlive('sync_runs.instance_id')}`);
  return query.update({
    status: 'failed',
    error: 'interrupted: the process running it stopped before it finished',
    finished_at: db.fn.now(),
  });
}

export interface RunOutcome {
  status: RunStatus;
  counts: Counts;
  samples: SyncRun['samples'];
  held?: HeldAction[];
  error?: string | null;
  tokenAfter?: string | null;
  withheld?: { count: number; heldRun: string } | null;
}

export async function finishRun(
  db: Knex | Knex.Transaction,
  id: string,
  outcome: RunOutcome,
): Promise<void> {
  await db('sync_runs')
    .where({ id })
    .update({
      status: outcome.status,
      counts: JSON.stringify(outcome.counts),
      samples: JSON.stringify(outcome.samples),
      held: outcome.held ? JSON.stringify(outcome.held) : null,
      error: outcome.error ?? null,
      token_after: outcome.tokenAfter ?? null,
      withheld: outcome.withheld?.count ?? 0,
      withheld_for: outcome.withheld?.heldRun ?? null,
      finished_at: db.fn.now(),
    });
}

/** The counts so far of a running run, so that `provisiond sync` can show progress. */
export async function recordProgress(db: Knex, id: string, counts: Counts): Promise<void> {
  await db('sync_runs')
    .where({ id, status: 'running' })
    .update({ counts: JSON.stringify(counts) });
}

export async function listRuns(
  db: Knex,
  orgId: string,
  query: { source?: string | undefined; limit: number; offset?: number },
): Promise<SyncRun[]> {
  const q = db('sync_runs')
    .where('org_id', orgId)
    .orderBy('started_at', 'desc')
    .offset(query.offset ?? 0)
    .limit(query.limit);
  if (query.source) q.andWhere('source', query.source);
  return (await q.select('*')).map(toRun);
}

export async function countRuns(
  db: Knex,
  orgId: string,
  source: string | undefined,
): Promise<number> {
  const q = db('sync_runs').where('org_id', orgId);
  if (source) q.andWhere('source', source);
  const [row] = await q.count({ n: '*' });
  return Number(row?.n ?? 0);
}

export async function getRun(
  db: Knex | Knex.Transaction,
  orgId: string,
  id: string,
): Promise<{ run: SyncRun; heldActions: HeldAction[] }> {
  const row = /^[0-9a-f-]{36}$/i.test(id)
    ? await db('sync_runs').where({ org_id: orgId, id }).first('*')
    : undefined;
  if (!row) throw new NotFoundError('run', id);
  return { run: toRun(row), heldActions: row.held ?? [] };
}

/** The source's run waiting for a decision, if any (runs go on without removals meanwhile). */
export async function heldRunOf(
  db: Knex | Knex.Transaction,
  orgId: string,
  source: string,
): Promise<{ id: string; removals: number; startedAt: string } | null> {
  const row = (await db('sync_runs')
    .where({ org_id: orgId, source, status: 'held' })
    .orderBy('started_at', 'desc')
    .first('id', 'held', 'started_at')) as
    | { id: string; held: HeldAction[] | null; started_at: Date | string }
    | undefined;
  return row
    ? {
        id: row.id,
        removals: row.held?.length ?? 0,
        startedAt: new Date(row.started_at).toISOString(),
      }
    : null;
}

/** Records the decision; false when the run was no longer held (decided meanwhile). */
export async function decideRun(
  trx: Knex.Transaction,
  id: string,
  status: 'approved' | 'rejected',
  by: string,
  decision: RunDecision,
): Promise<boolean> {
  const n = await trx('sync_runs')
    .where({ id, status: 'held' })
    .update({
      status,
      decided_by: by,
      decided_at: trx.fn.now(),
      decision: JSON.stringify(decision),
    });
  return affectedRows(n) === 1;
}
