import type { Knex } from 'knex';
import { type Actor, type Scope, requireAdministrator } from '../access/actor.ts';
import { ConflictError } from '../errors.ts';
import { applyRemovals } from './member-removals.ts';
import { type SyncRun, decideRun, getRun, latestRunId } from './sync-runs.ts';

// An administrator decides a held run. Approval applies exactly the removals the run showed
// (not a fresh plan), and only while that run is the source's latest: after a newer run the
// held list may be stale, so the administrator must look at the newer one instead.

export async function approveRun(db: Knex, scope: Scope, runId: string): Promise<SyncRun> {
  return decide(db, scope, runId, 'approved');
}

export async function rejectRun(db: Knex, scope: Scope, runId: string): Promise<SyncRun> {
  return decide(db, scope, runId, 'rejected');
}

async function decide(
  db: Knex,
  scope: Scope,
  runId: string,
  decision: 'approved' | 'rejected',
): Promise<SyncRun> {
  requireAdministrator(scope.actor, 'deciding a held sync run');
  await db.transaction(async (trx) => {
    const { run, heldActions } = await getRun(trx, scope.orgId, runId);
    if (run.status !== 'held')
      throw new ConflictError(
        `run ${runId} is ${run.status}, not held: there is nothing to decide`,
      );
    if ((await latestRunId(trx, scope.orgId, run.source)) !== run.id) {
      throw new ConflictError(
        `run ${runId} is no longer the latest run of ${run.source}; decide the latest one`,
      );
    }
    if (decision === 'approved') {
      const actor: Actor = {
        ...scope.actor,
        label: `${scope.actor.label} (approving sync run ${runId})`,
      };
      await applyRemovals(trx, scope.orgId, run.source, actor, heldActions);
    }
    await decideRun(trx, runId, decision, scope.actor.label);
  });
  return (await getRun(db, scope.orgId, runId)).run;
}
