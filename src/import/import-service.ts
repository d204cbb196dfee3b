import type { Knex } from 'knex';
import type { ImportRunRow } from '../store/tables/imports.ts';
import { z } from 'zod';
import { type Scope, requireWrite } from '../access/actor.ts';
import { loadCatalog } from '../catalog/catalog-store.ts';
import { ValidationError } from '../errors.ts';
import { licenseRoom } from '../licenses/license-grants.ts';
import { type Organization, findOrganization } from '../orgs/organizations.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import { parseInput } from '../validation.ts';
import { MAIL_LANGUAGES } from '../invitations/invitation-rules.ts';
import type { LinkSealer } from '../invitations/link-sealer.ts';
import { IMPORT_MODES, MODE_IDS, type ModeId } from './import-modes.ts';
import { type ImportReport, emptyReport, planImport } from './import-plan.ts';
import { type FileFormat, readRows } from './import-rows.ts';
import {
  type ImportRun,
  findRunRow,
  previousApply,
  storeChunks,
  storedChunks,
  toRun,
} from './import-store.ts';
import type { RowPolicy } from './row-validation.ts';
import { organizationLoginsIssue } from '../invitations/invitation-rules.ts';
import { countMembers } from '../members/member-rules.ts';

// Uploading an import: the file is stored, then validated into a report; nothing else is written
// until the run is applied (import-apply-run.ts).

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

export function formatOfRun(run: Pick<ImportRunRow, 'format' | 'mode'>): FileFormat {
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

export async function policyFor(
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
  const [inserted] = await deps
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
    .returning('*');
  // An insert without a conflict clause returns its row.
  const row = inserted!;
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
  const saved = await findRunRow(deps.db, scope.orgId, row.id);
  return { ...toRun(saved), previousApply: await previousApply(deps.db, scope.orgId, saved) };
}
