import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { loadCatalog } from '../catalog/catalog-store.ts';
import { type CatalogRole, findRole } from '../catalog/compatibility.ts';
import { isAdministratorRole } from '../access/privileges.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { isUuid } from '../store/uuid.ts';
import { affectedRows } from '../store/affected-rows.ts';
import { parseInput } from '../validation.ts';
import {
  type CodeStatus,
  DEFAULT_VALIDITY_DAYS,
  codeHint,
  codeRoleIssues,
  codeStatus,
  copyText,
  countIssues,
  hashCode,
  isCodeNotId,
  newCode,
  parseCode,
  validUntil,
  validityIssues,
} from './code-rules.ts';
import { assertMayCreateIn, resolveScope, visibleScopeFilter } from './code-scope.ts';

// Creating, listing, showing, copying and disabling invitation codes. The codes
// themselves are returned once, at creation; the daemon keeps only their hashes.

export interface InvitationCode {
  id: string;
  code: string;
  scope: string;
  scopeType: 'organization' | 'group';
  mode: 'organization' | 'group';
  roles: string[];
  /** The parameter the code gives the one role of its roles that takes one. */
  roleParameter: string | null;
  createdBy: string;
  createdAt: string;
  validUntil: string;
  status: CodeStatus;
  usedAt: string | null;
  usedBy: string | null;
  disabledAt: string | null;
}

interface CodeRow {
  id: string;
  code_hint: string;
  group_id: string | null;
  group_name: string | null;
  role_ids: string[];
  role_parameter: string | null;
  created_by: string;
  created_at: Date;
  valid_until: Date;
  disabled_at: Date | null;
  used_at: Date | null;
  used_by: string | null;
}

export const createCodesSchema = z
  .object({
    count: z
      .number()
      .default(1)
      .superRefine((n, ctx) => {
        const issue = countIssues(n);
        if (issue) ctx.addIssue({ code: 'custom', message: issue });
      }),
    validityDays: z
      .number()
      .default(DEFAULT_VALIDITY_DAYS)
      .superRefine((n, ctx) => {
        const issue = validityIssues(n);
        if (issue) ctx.addIssue({ code: 'custom', message: issue });
      }),
    roles: z.array(z.string().trim().min(1)).min(1, 'give at least one role the codes grant'),
    roleParameter: z.string().trim().min(1).max(256).optional(),
    scope: z.string().trim().optional(),
  })
  .strict();

const listSchema = z
  .object({
    status: z.enum(['valid', 'used', 'disabled', 'expired']).optional(),
    scope: z.string().trim().min(1).optional(),
  })
  .strict();

function resolveRoles(all: CatalogRole[], names: string[]): CatalogRole[] {
  const unknown = names.filter((n) => !findRole(all, n));
  if (unknown.length > 0) {
    throw ValidationError.field(
      'roles',
      `unknown role(s): ${unknown.join(', ')}; the roles are ${all.map((r) => r.name).join(', ')}`,
    );
  }
  return [...new Map(names.map((n) => findRole(all, n)!).map((r) => [r.id, r])).values()];
}

async function toCode(
  db: Knex | Knex.Transaction,
  orgId: string,
  row: CodeRow,
  now: Date,
): Promise<InvitationCode> {
  const { roles } = await loadCatalog(db, orgId);
  const orgName = row.group_id
    ? null
    : (await db('organizations').where('id', orgId).first('name'))?.name;
  return presentCode(row, roles, orgName ?? '', now);
}

function presentCode(
  row: CodeRow,
  roles: CatalogRole[],
  orgName: string,
  now: Date,
): InvitationCode {
  const validUntilDate = new Date(row.valid_until);
  return {
    id: row.id,
    code: row.code_hint,
    scope: row.group_name ?? orgName,
    scopeType: row.group_id ? 'group' : 'organization',
    mode: row.group_id ? 'group' : 'organization',
    roles: row.role_ids.map((id) => roles.find((r) => r.id === id)?.name ?? id),
    roleParameter: row.role_parameter,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    validUntil: validUntilDate.toISOString(),
    status: codeStatus(
      { disabledAt: row.disabled_at, usedAt: row.used_at, validUntil: validUntilDate },
      now,
    ),
    usedAt: row.used_at ? new Date(row.used_at).toISOString() : null,
    usedBy: row.used_by,
    disabledAt: row.disabled_at ? new Date(row.disabled_at).toISOString() : null,
  };
}

function selectCodes(
  db: Knex | Knex.Transaction,
  orgId: string,
): Knex.QueryBuilder<CodeRow, CodeRow[]> {
  return db('invitation_codes as c')
    .leftJoin('groups as g', 'g.id', 'c.group_id')
    .leftJoin('members as m', 'm.id', 'c.used_by_member_id')
    .where('c.org_id', orgId)
    .select(
      'c.id',
      'c.code_hint',
      'c.group_id',
      'g.name as group_name',
      'c.role_ids',
      'c.role_parameter',
      'c.created_by',
      'c.created_at',
      'c.valid_until',
      'c.disabled_at',
      'c.used_at',
      'm.username as used_by',
    );
}

export interface CreatedCodes {
  codes: string[];
  ids: string[];
  validUntil: string;
  scope: string;
  scopeType: 'organization' | 'group';
  roles: string[];
  roleParameter: string | null;
  copyText: string;
}

export async function createCodes(
  db: Knex,
  scope: Scope,
  input: unknown,
  now = new Date(),
): Promise<CreatedCodes> {
  const request = parseInput(createCodesSchema, input);
  const { roles: all } = await loadCatalog(db, scope.orgId);
  const roles = resolveRoles(all, request.roles);
  const roleParameter = request.roleParameter ?? null;
  const issues = codeRoleIssues(roles, roleParameter);
  if (issues.length > 0) throw new ValidationError(issues);
  const codeScope = await resolveScope(db, scope.orgId, request.scope);
  await assertMayCreateIn(db, scope.orgId, scope.actor, codeScope, roles.some(isAdministratorRole));
  const until = validUntil(now, request.validityDays);
  const codes = Array.from({ length: request.count }, newCode);
  const batchId = randomUUID();
  const rows = codes.map((code) => ({
    id: randomUUID(),
    org_id: scope.orgId,
    code_hash: hashCode(code),
    code_hint: codeHint(code),
    group_id: codeScope.groupId,
    role_ids: roles.map((r) => r.id),
    role_parameter: roleParameter,
    batch_id: batchId,
    created_by: scope.actor.label,
    created_by_member_id: scope.actor.type === 'member' ? scope.actor.id : null,
    created_at: now,
    valid_until: until,
  }));
  await db.transaction(async (trx) => {
    await trx('invitation_codes').insert(rows);
    // The audit keeps the ids and hints, never the codes.
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'code.create',
      targetType: 'invitation_code',
      targetId: batchId,
      after: {
        ids: rows.map((r) => r.id),
        hints: rows.map((r) => r.code_hint),
        scope: codeScope.name,
        roles: roles.map((r) => r.name),
        roleParameter,
        validUntil: until.toISOString(),
      },
    });
  });
  return {
    codes,
    ids: rows.map((r) => r.id),
    validUntil: until.toISOString(),
    scope: codeScope.name,
    scopeType: codeScope.type,
    roles: roles.map((r) => r.name),
    roleParameter,
    copyText: copyText(codes, codeScope.name, until),
  };
}

/** Newest first, filtered by status and scope; members see only the scopes they administer. */
export async function listCodes(
  db: Knex,
  scope: Scope,
  input: unknown,
  now = new Date(),
): Promise<{ items: InvitationCode[]; total: number }> {
  const request = parseInput(listSchema, input ?? {});
  const query = selectCodes(db, scope.orgId).orderBy('c.created_at', 'desc').orderBy('c.id');
  const visible = await visibleScopeFilter(db, scope.orgId, scope.actor);
  if (visible) query.andWhere(visible);
  if (request.scope) {
    const codeScope = await resolveScope(db, scope.orgId, request.scope);
    query.andWhere('c.group_id', codeScope.groupId);
  }
  if (request.status === 'disabled') query.whereNotNull('c.disabled_at');
  if (request.status === 'used') query.whereNull('c.disabled_at').whereNotNull('c.used_at');
  if (request.status === 'expired')
    query.whereNull('c.disabled_at').whereNull('c.used_at').where('c.valid_until', '<=', now);
  if (request.status === 'valid')
    query.whereNull('c.disabled_at').whereNull('c.used_at').where('c.valid_until', '>', now);
  const rows = await query;
  const { roles } = await loadCatalog(db, scope.orgId);
  const orgName = (await db('organizations').where('id', scope.orgId).first('name'))?.name ?? '';
  const items = rows.map((r) => presentCode(r, roles, orgName, now));
  return { items, total: items.length };
}

/**
 * A code by its id. Never by the code itself: the id travels in URLs (GET /codes/{id}), which
 * access logs and proxies keep, and codes must not reach logs.
 */
export async function getCode(
  db: Knex | Knex.Transaction,
  scope: Scope,
  id: string,
  now = new Date(),
): Promise<InvitationCode> {
  if (isCodeNotId(id)) {
    throw ValidationError.field(
      'id',
      "that is an invitation code, not a code's id; codes never go in a URL, which logs and proxies keep. " +
        'Give the code\'s id (`codes list` shows it), or send the code in a request body, as POST /api/v1/codes/copy {"codes":[…]} does',
    );
  }
  return findCode(
    db,
    scope,
    { 'c.id': isUuid(id) && id === id.toLowerCase() ? id : null },
    id,
    now,
  );
}

/** A code by the code itself (looked up by its hash), for requests that carry it in their body. */
async function getCodeByValue(
  db: Knex,
  scope: Scope,
  code: string,
  now: Date,
): Promise<InvitationCode> {
  // The not-found message shows the hint only: the code is not repeated in full.
  return findCode(db, scope, { 'c.code_hash': hashCode(code) }, codeHint(code), now);
}

async function findCode(
  db: Knex | Knex.Transaction,
  scope: Scope,
  which: { 'c.id': string | null } | { 'c.code_hash': Buffer },
  shown: string,
  now: Date,
): Promise<InvitationCode> {
  const query = selectCodes(db, scope.orgId).andWhere(which);
  const visible = await visibleScopeFilter(db, scope.orgId, scope.actor);
  if (visible) query.andWhere(visible);
  const row = await query.first();
  if (!row) throw new NotFoundError('invitation code', shown);
  return toCode(db, scope.orgId, row, now);
}

/** "Copy" / "copy all": the codes with the scope's name and validity date. */
export async function copyCodes(
  db: Knex,
  scope: Scope,
  input: unknown,
  now = new Date(),
): Promise<{ text: string; codes: InvitationCode[] }> {
  const { codes } = parseInput(
    z.object({ codes: z.array(z.unknown()).min(1, 'give the code(s) to copy') }).strict(),
    input,
  );
  const parsed = codes.map(parseCode);
  const found = await Promise.all(parsed.map((c) => getCodeByValue(db, scope, c, now)));
  const text = found
    .map((f, i) => copyText([parsed[i]!], f.scope, new Date(f.validUntil)))
    .join('\n');
  return { text, codes: found };
}

export async function disableCode(
  db: Knex,
  scope: Scope,
  ref: string,
  now = new Date(),
): Promise<InvitationCode> {
  // A member administrator reaches only the codes of their scopes, which getCode already enforces.
  if (scope.actor.type !== 'member') requireWrite(scope.actor);
  const code = await getCode(db, scope, ref, now);
  if (code.status === 'disabled') return code;
  return db.transaction(async (trx) => {
    // Conditional, so that a redemption that wins the race is not turned into "disabled" afterwards.
    const changed = affectedRows(
      await trx('invitation_codes')
        .where({ org_id: scope.orgId, id: code.id })
        .whereNull('used_at')
        .whereNull('disabled_at')
        .update({ disabled_at: now }),
    );
    if (changed === 0)
      throw new ConflictError(
        'this invitation code was already used; there is nothing left to disable',
      );
    const after = { ...code, status: 'disabled' as const, disabledAt: now.toISOString() };
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'code.disable',
      targetType: 'invitation_code',
      targetId: code.id,
      before: code,
      after,
    });
    return after;
  });
}
