import type { Knex } from 'knex';
import type { ImportRunRow } from '../store/tables/imports.ts';
import { instanceAlive } from '../cluster/instances.ts';
import { z } from 'zod';
import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ConflictError, LicenseLimitError, LimitError, ValidationError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { sharedDefaults } from '../members/shared-defaults.ts';
import { type PreviousBatch, type RunContext, applyBatch } from './import-apply.ts';
import { blockingErrors, emptyReport, planImport } from './import-plan.ts';
import { readRows } from './import-rows.ts';
import {
  type ImportRun,
  findRunRow,
  previousApply,
  dropChunks,
  storedChunks,
  toRun,
} from './import-store.ts';
import { countMembers } from '../members/member-rules.ts';
import { type ImportDeps, formatOfRun, policyFor } from './import-service.ts';

// Applying a validated run: refused when its report forbids it, resumed after the last batch that
// committed, its progress answered from memory while this process writes it.

/**
 * Runs this process is applying. Their progress is answered from here: on PGlite the one
 * connection is busy writing batches, and a progress poll would wait behind them.
 */
const inProgress = new Map<string, { orgId: string; run: ImportRun }>();

/** Applies left by a process that is gone are marked failed, so that they read as resumable. */
export async function failOrphanedImports(db: Knex): Promise<number> {
  return db('import_runs')
    .where('status', 'applying')
    .whereNotNull('instance_id')
    .andWhereRaw(`not ${instanceAlive('import_runs.instance_id')}`)
    .update({
      status: 'failed',
      error: 'interrupted: the process applying it stopped; apply it again to resume',
      updated_at: db.fn.now(),
    });
}

export async function getImport(db: Knex, orgId: string, id: string): Promise<ImportRun> {
  const live = inProgress.get(id);
  if (live?.orgId === orgId) return structuredClone(live.run);
  const row = await findRunRow(db, orgId, id);
  return { ...toRun(row), previousApply: await previousApply(db, orgId, row) };
}

const applySchema = z.object({ skipInvalid: z.boolean().default(false) }).strict();

/**
 * Confirms a validated run. Refuses what the report forbids (a file error, the membership limit,
 * invalid rows without skipInvalid); an applied run is not applied again. Returns the run marked
 * `applying` and the promise of the work, which resumes after the last batch that committed.
 */
export async function startApply(
  deps: ImportDeps,
  scope: Scope,
  id: string,
  input: unknown,
): Promise<{ run: ImportRun; done: Promise<ImportRun> }> {
  requireWrite(scope.actor);
  const { skipInvalid } = parseInput(applySchema, input ?? {});
  const row = await findRunRow(deps.db, scope.orgId, id);
  if (row.status === 'applied') return { run: toRun(row), done: Promise.resolve(toRun(row)) };
  const refusal = blockingErrors(row.report, skipInvalid);
  if (refusal) {
    if (row.report.membershipLimit) {
      const { limit, count, adding } = row.report.membershipLimit;
      throw new LimitError(limit, count, adding);
    }
    if (row.report.licenses && row.report.licenses.length > 0)
      throw new LicenseLimitError(refusal, row.report.licenses);
    throw new ValidationError(
      row.report.issues
        .filter((i) => i.severity === 'error')
        .slice(0, 50)
        .map((i) => ({
          field: `line ${i.line ?? '-'}${i.field ? ` ${i.field}` : ''}`,
          message: i.message,
        })),
      refusal,
    );
  }
  const claimed = await deps
    .db('import_runs')
    .where({ id: row.id, org_id: scope.orgId })
    // A run left `applying` by a process that is gone may be taken over: at once when the process
    // is known (its instance lock ended with it), else after a minute without a batch.
    .where((q) =>
      q
        .whereIn('status', ['validated', 'failed'])
        .orWhere((r) =>
          r.where('status', 'applying').andWhereRaw("updated_at < now() - interval '60 seconds'"),
        )
        .orWhere((r) =>
          r
            .where('status', 'applying')
            .whereNotNull('instance_id')
            .andWhereRaw(`not ${instanceAlive('import_runs.instance_id')}`),
        ),
    )
    .update({
      status: 'applying',
      instance_id: deps.instanceId ?? null,
      error: null,
      options: JSON.stringify({ ...row.options, skipInvalid }),
      updated_at: deps.db.fn.now(),
    })
    .returning('id');
  if ((claimed as unknown[]).length === 0)
    throw new ConflictError(
      `import ${row.id} is being applied right now; follow it with GET /imports/${row.id}`,
    );
  const run = toRun({ ...row, status: 'applying' });
  inProgress.set(row.id, { orgId: scope.orgId, run });
  const done = applyRun(deps, scope, row, run)
    .catch(async (error: unknown) => {
      await deps
        .db('import_runs')
        .where('id', row.id)
        .update({
          status: 'failed',
          error: (error as Error).message,
          updated_at: deps.db.fn.now(),
        });
      throw error;
    })
    .finally(() => inProgress.delete(row.id));
  return { run: structuredClone(run), done };
}

async function applyRun(
  deps: ImportDeps,
  scope: Scope,
  row: ImportRunRow,
  live: ImportRun,
): Promise<ImportRun> {
  const format = formatOfRun(row);
  const { policy, limit, org } = await policyFor(deps, scope.orgId, format, row.options);
  const shared = await sharedDefaults(deps.db, scope.orgId, org.newMemberDefaults);
  const runContext: RunContext = {
    shared,
    invitations: {
      org,
      shared,
      publicUrl: deps.publicUrl,
      links: deps.links,
      language: row.options.language ?? 'en',
      message: row.options.message ?? null,
      roleNames: new Map(policy.catalog.roles.map((r) => [r.id, r.name])),
    },
  };
  const report = emptyReport(row.format, row.mode);
  const rows = readRows(storedChunks(deps.db, row.id, deps.links), format);
  const context = {
    db: deps.db,
    orgId: scope.orgId,
    policy,
    membershipLimit: limit,
    memberCount: await countMembers(deps.db, scope.orgId),
    batchSize: deps.batchSize,
    // The insert skips usernames already taken, so members need no look-up of their own (40-50 ms
    // of PostgreSQL's time per 5,000 rows). Under a membership limit a batch must know what it
    // adds before it writes, so there they are still looked up.
    lookUpMembers: limit !== null,
  };
  let created = row.created;
  live.created = created;
  // While batches are written, the next is read and validated: the database and the parser work
  // side by side, and on PostgreSQL `writers` batches insert at once on their own connections.
  // Each batch still opens its transaction and commits after the one before it (applyBatch
  // waits for it), so that the resume point only ever moves over batches that are all in.
  const writers = Math.max(1, deps.writers ?? 1);
  const inFlight: Array<Promise<number>> = [];
  let previous: PreviousBatch | undefined;
  try {
    for await (const batch of planImport(rows, context, report)) {
      if (inFlight.length >= writers) created += await inFlight.shift()!;
      const write = applyBatch(deps, scope, row, batch, runContext, previous);
      const writing = write.done.then((added) => {
        live.created += added;
        live.progress.appliedThroughLine = batch.lastLine;
        return added;
      });
      // Awaited in turn below; the handler only keeps Node from calling it unhandled meanwhile.
      writing.catch(() => {});
      previous = { started: write.started, committed: writing };
      inFlight.push(writing);
    }
    for (const writing of inFlight.splice(0)) created += await writing;
  } catch (error) {
    // The batches after a failed one roll back (they wait for it); let them finish first.
    await Promise.allSettled(inFlight);
    throw error;
  }
  const alreadyPresent = report.valid - created;
  await deps.db.transaction(async (trx) => {
    await dropChunks(trx, row.id);
    await trx('import_runs').where('id', row.id).update({
      status: 'applied',
      applied_at: trx.fn.now(),
      updated_at: trx.fn.now(),
      created,
      already_present: alreadyPresent,
      applied_through_line: report.lastLine,
    });
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'import.apply',
      targetType: 'import',
      targetId: row.id,
      after: {
        mode: row.mode,
        fileName: row.file_name,
        created,
        alreadyPresent,
        skippedInvalid: report.invalid,
      },
    });
  });
  inProgress.delete(row.id);
  return getImport(deps.db, scope.orgId, row.id);
}
