import type { Knex } from 'knex';
import type { ImportRunRow } from '../store/tables/imports.ts';
import { instanceAlive } from '../cluster/instances.ts';
import { z } from 'zod';
import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { loadCatalog } from '../catalog/catalog-store.ts';
import { ConflictError, LicenseLimitError, LimitError, ValidationError } from '../errors.ts';
import { licenseRoom } from '../licenses/license-grants.ts';
import { type Organization, findOrganization } from '../orgs/organizations.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import { parseInput } from '../validation.ts';
import { MAIL_LANGUAGES } from '../invitations/invitation-rules.ts';
import type { LinkSealer } from '../invitations/link-sealer.ts';
import { sharedDefaults } from '../members/shared-defaults.ts';
import { type RunContext, applyBatch } from './import-apply.ts';
import { IMPORT_MODES, MODE_IDS, type ModeId } from './import-modes.ts';
import { type ImportReport, blockingErrors, emptyReport, planImport } from './import-plan.ts';
import { type FileFormat, readRows } from './import-rows.ts';
import {
  type ImportRun,
  findRunRow,
  previousApply,
  storeChunks,
  dropChunks,
  storedChunks,
  toRun,
} from './import-store.ts';
import type { RowPolicy } from './row-validation.ts';
import { organizationLoginsIssue } from '../invitations/invitation-rules.ts';
import { countMembers } from '../members/member-rules.ts';

// The import use cases: upload a file (stored, then validated into a report: nothing else is
// written), read a run, and apply a validated run in batched, audited transactions.

export interface ImportDeps {
  db: Knex;
  hasher: PasswordHasher;
  /** The base of the invitation links the invite modes mail. */
  publicUrl: string;
  links: LinkSealer;
  /** The configured sources of an organization (the org-id modes link to a SAML or OIDC one). */
  sources(orgId: string): ReadonlyArray<{ name: string; type: string }>;
  batchSize?: number;
  /** Batches written at once when applying (PostgreSQL: more than one; PGlite has one connection). */
  writers?: number;
  /** This process's instance (cluster/instances.ts): an apply it leaves is taken over at once. */
  instanceId?: string | null;
}

const uploadOptionsSchema = z
  .object({
    format: z.enum(['csv', 'createusers']).default('csv'),
    mode: z.enum(MODE_IDS).optional(),
    idp: z.enum(['enterprise', 'builtin']).default('enterprise'),
    fileName: z.string().max(500).optional(),
    defaultEmail: z.string().max(254).optional(),
    /** The invite modes: the language of the mails and an optional message in them. */
    language: z.enum(MAIL_LANGUAGES).optional(),
    message: z.string().max(2000, 'must be at most 2000 characters').optional(),
    /** The org-id modes: the SAML or OIDC source the identities belong to, when several could. */
    source: z.string().min(1).max(100).optional(),
  })
  .strict();

export type UploadOptions = z.input<typeof uploadOptionsSchema>;

function noMailOptions(options: z.infer<typeof uploadOptionsSchema>, what: string): void {
  const given = (['language', 'message'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 0) {
    throw ValidationError.field(
      given[0]!,
      `${what} sends no mail: language and message apply to the modes that invite (${MODE_IDS.filter((m) => IMPORT_MODES[m].invitation).join(', ')})`,
    );
  }
}

function formatOf(options: z.infer<typeof uploadOptionsSchema>): {
  format: FileFormat;
  mode: string;
} {
  if (options.format === 'createusers') {
    noMailOptions(options, 'a CreateUsers file');
    return {
      format: { kind: 'createusers', idp: options.idp },
      mode: `createusers-${options.idp}`,
    };
  }
  if (!options.mode)
    throw ValidationError.field(
      'mode',
      `is required for a CSV file; one of ${MODE_IDS.join(', ')}`,
    );
  if (!IMPORT_MODES[options.mode].invitation) noMailOptions(options, `the ${options.mode} mode`);
  return { format: { kind: 'csv', mode: IMPORT_MODES[options.mode] }, mode: options.mode };
}

function formatOfRun(run: Pick<ImportRunRow, 'format' | 'mode'>): FileFormat {
  if (run.format === 'createusers')
    return {
      kind: 'createusers',
      idp: run.mode === 'createusers-builtin' ? 'builtin' : 'enterprise',
    };
  return { kind: 'csv', mode: IMPORT_MODES[run.mode as ModeId] };
}

/** The names of the SAML and OIDC sources an org-id row may link to: the chosen one, or every one. */
function identitySources(
  configured: ReadonlyArray<{ name: string; type: string }>,
  chosen: string | undefined,
): RowPolicy['sources'] {
  const named = chosen === undefined ? configured : configured.filter((s) => s.name === chosen);
  const of = (type: string) => named.filter((s) => s.type === type).map((s) => s.name);
  return { saml: of('saml'), oidc: of('oidc') };
}

function assertIdentitySource(
  configured: ReadonlyArray<{ name: string; type: string }>,
  chosen: string,
): void {
  const candidates = configured.filter((s) => s.type === 'saml' || s.type === 'oidc');
  if (!candidates.some((s) => s.name === chosen))
    throw ValidationError.field(
      'source',
      `must name a configured SAML or OpenID Connect source (${candidates.map((s) => s.name).join(', ') || 'none is configured'})`,
    );
}

async function policyFor(
  deps: Pick<ImportDeps, 'db' | 'sources'>,
  orgId: string,
  format: FileFormat,
  options: ImportRun['options'],
): Promise<{ policy: RowPolicy; limit: number | null; org: Organization }> {
  const { db } = deps;
  const [org, catalog] = await Promise.all([findOrganization(db, orgId), loadCatalog(db, orgId)]);
  const mode = format.kind === 'csv' ? format.mode : null;
  const policy: RowPolicy = {
    account: mode
      ? mode.account
      : format.kind === 'createusers' && format.idp === 'builtin'
        ? 'builtin'
        : 'enterprise',
    accountRule: format.kind === 'createusers' ? 'createusers' : 'member',
    // Direct additions may grant administrator roles; invitations only if the policy allows.
    allowAdministrator: mode?.invitation ? org.allowAdminInvitations : true,
    defaultEmail: options.defaultEmail,
    catalog,
    sources: identitySources(deps.sources(orgId), options.source),
    defaults: { userType: org.newMemberDefaults.userType, role: org.newMemberDefaults.role },
  };
  return { policy, limit: org.membershipLimit, org };
}

async function validateStored(
  deps: Pick<ImportDeps, 'db' | 'sources' | 'links'>,
  orgId: string,
  run: Pick<ImportRunRow, 'id' | 'format' | 'mode' | 'options'>,
): Promise<ImportReport> {
  const { db } = deps;
  const format = formatOfRun(run);
  const { policy, limit, org } = await policyFor(deps, orgId, format, run.options);
  const report = emptyReport(run.format, run.mode);
  const rows = readRows(
    storedChunks(db, run.id, deps.links),
    format,
    (s) => (report.separator = s),
  );
  const batches = planImport(
    rows,
    {
      db,
      orgId,
      policy,
      membershipLimit: limit,
      memberCount: await countMembers(db, orgId),
      licenses: await licenseRoom(db, orgId, org.newMemberDefaults.licenses ?? []),
    },
    report,
  );
  // Validation only: the batches are read for the report they fill, and dropped.
  for (let next = await batches.next(); !next.done; next = await batches.next());
  return report;
}

/** Stores the uploaded file and validates it. Nothing but the run and its report is written. */
export async function uploadImport(
  deps: ImportDeps,
  scope: Scope,
  input: unknown,
  body: AsyncIterable<Uint8Array>,
): Promise<ImportRun> {
  requireWrite(scope.actor);
  const options = parseInput(uploadOptionsSchema, input);
  const { mode } = formatOf(options);
  if (options.source !== undefined) {
    if (options.format !== 'csv' || IMPORT_MODES[options.mode!].account !== 'org-id')
      throw ValidationError.field(
        'source',
        'applies to the modes whose rows carry SAML or OpenID Connect IDs (add-org-ids)',
      );
    assertIdentitySource(deps.sources(scope.orgId), options.source);
  }
  if (options.mode === 'invite-org-logins') {
    const issue = organizationLoginsIssue(deps.sources(scope.orgId));
    if (issue) throw ValidationError.field('mode', issue);
  }
  const [row] = (await deps
    .db('import_runs')
    .insert({
      org_id: scope.orgId,
      format: options.format,
      mode,
      file_name: options.fileName ?? null,
      file_sha256: '',
      file_bytes: 0,
      options: JSON.stringify({
        ...(options.defaultEmail && { defaultEmail: options.defaultEmail }),
        ...(options.language && { language: options.language }),
        ...(options.message && { message: options.message }),
        ...(options.source && { source: options.source }),
      }),
      report: JSON.stringify(emptyReport(options.format, mode)),
      created_by: scope.actor.label,
    })
    .returning('*')) as [ImportRunRow];
  let stored: Awaited<ReturnType<typeof storeChunks>>;
  let report: ImportReport;
  try {
    stored = await storeChunks(deps.db, row.id, body, deps.links);
    report = await validateStored(deps, scope.orgId, row);
  } catch (error) {
    await deps.db('import_runs').where('id', row.id).delete();
    throw error;
  }
  await deps
    .db('import_runs')
    .where('id', row.id)
    .update({
      file_sha256: stored.sha256,
      file_bytes: stored.bytes,
      report: JSON.stringify(report),
      rows_to_create: report.toCreate,
      updated_at: deps.db.fn.now(),
    });
  return getImport(deps.db, scope.orgId, row.id);
}

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
  };
  let created = row.created;
  live.created = created;
  // While batches are written, the next is read and validated: the database and the parser work
  // side by side, and on PostgreSQL `writers` batches insert at once on their own connections.
  // Each batch still commits after the one before it (applyBatch waits for it), so that the
  // resume point only ever moves over batches that are all in.
  const writers = Math.max(1, deps.writers ?? 1);
  const inFlight: Array<Promise<number>> = [];
  let committed: Promise<unknown> = Promise.resolve();
  try {
    for await (const batch of planImport(rows, context, report)) {
      if (inFlight.length >= writers) created += await inFlight.shift()!;
      const writing = applyBatch(deps, scope, row, batch, runContext, committed).then((added) => {
        live.created += added;
        live.progress.appliedThroughLine = batch.lastLine;
        return added;
      });
      // Awaited in turn below; the handler only keeps Node from calling it unhandled meanwhile.
      writing.catch(() => {});
      committed = writing;
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
