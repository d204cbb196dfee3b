import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { type Actor, type Scope, requireAdministrator } from '../access/actor.ts';
import { ConflictError, UnavailableError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SourceRegistry } from '../sources/source-registry.ts';
import { applyRemovals } from './member-removals.ts';
import { acquireLease, releaseLease } from './sync-state.ts';
import { type SyncRun, decideRun, getRun } from './sync-runs.ts';
import type { HeldAction } from './sync-types.ts';

// An administrator decides a held run, however many runs came after it (they removed nobody
// meanwhile). Approval reads the directory again and applies only the removals whose records are
// still gone: a person who came back in the meantime is left alone. A run is decided once; a
// second decision is a conflict.

export interface DecisionDeps {
  db: Knex;
  sources: SourceRegistry;
  log: Logger;
  metrics?: Metrics | undefined;
}

/** How long an approval waits for a run of the source in progress to end. */
const LEASE_WAIT_MS = 30_000;

/**
 * The source's lease for an approval, waiting for a run in progress to end: on a schedule every
 * few seconds a run is nearly always in progress, and the gap between two runs is enough.
 */
async function leaseWhenFree(
  db: Knex,
  orgId: string,
  source: string,
  owner: string,
): Promise<boolean> {
  const until = Date.now() + LEASE_WAIT_MS;
  while (!(await acquireLease(db, orgId, source, owner))) {
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

export async function approveRun(
  deps: DecisionDeps,
  scope: Scope,
  runId: string,
): Promise<SyncRun> {
  return decide(deps, scope, runId, 'approved');
}

export async function rejectRun(deps: DecisionDeps, scope: Scope, runId: string): Promise<SyncRun> {
  return decide(deps, scope, runId, 'rejected');
}

function alreadyDecided(run: SyncRun): ConflictError {
  return new ConflictError(
    `run ${run.id} is ${run.status}, not held: ${run.status === 'approved' || run.status === 'rejected' ? 'it was already decided' : 'there is nothing to decide'}`,
    { run: run.id, status: run.status },
  );
}

async function decide(
  deps: DecisionDeps,
  scope: Scope,
  runId: string,
  decision: 'approved' | 'rejected',
): Promise<SyncRun> {
  requireAdministrator(scope.actor, 'deciding a held sync run');
  const { db } = deps;
  const { run, heldActions } = await getRun(db, scope.orgId, runId);
  if (run.status !== 'held') throw alreadyDecided(run);
  const owner = randomUUID();
  if (decision === 'approved' && !(await leaseWhenFree(db, scope.orgId, run.source, owner)))
    throw new ConflictError(
      `a run of the source "${run.source}" has been in progress for 30 s; approve run ${runId} once it has ended`,
      { source: run.source },
    );
  try {
    const stillGone =
      decision === 'approved' ? await stillAbsent(deps, scope.orgId, run.source, heldActions) : [];
    await db.transaction(async (trx) => {
      const recorded = await decideRun(trx, runId, decision, scope.actor.label, {
        applied: stillGone.length,
        returned: decision === 'approved' ? heldActions.length - stillGone.length : 0,
      });
      if (!recorded) throw alreadyDecided((await getRun(trx, scope.orgId, runId)).run);
      if (stillGone.length === 0) return;
      const actor: Actor = {
        ...scope.actor,
        label: `${scope.actor.label} (approving sync run ${runId})`,
      };
      await applyRemovals(trx, scope.orgId, run.source, actor, stillGone);
    });
  } finally {
    if (decision === 'approved') await releaseLease(db, scope.orgId, run.source, owner);
  }
  deps.metrics?.syncHeld.set({ source: run.source }, 0);
  return (await getRun(db, scope.orgId, runId)).run;
}

/** The held removals whose records the directory still does not have, read now. */
async function stillAbsent(
  deps: DecisionDeps,
  orgId: string,
  sourceName: string,
  held: HeldAction[],
): Promise<HeldAction[]> {
  const source = deps.sources.get(orgId, sourceName);
  if (!source.readAll)
    throw new UnavailableError(`the source "${sourceName}" can no longer be read`);
  const present = new Set<string>();
  try {
    for await (const record of source.readAll().records)
      if (record.kind === 'user') present.add(record.externalId);
  } catch (error) {
    throw new UnavailableError(
      `could not read ${sourceName} to re-check the held removals, so none was applied: ${(error as Error).message}`,
      { source: sourceName },
    );
  }
  return held.filter((a) => !present.has(a.externalId));
}
