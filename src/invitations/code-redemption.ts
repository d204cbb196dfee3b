import type { Knex } from 'knex';
import type { Actor } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { type Catalog, loadCatalog } from '../catalog/catalog-store.ts';
import { type RoleGrant, isAdministratorRole, roleGrantIssues } from '../catalog/compatibility.ts';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../errors.ts';
import { affectedRows } from '../store/affected-rows.ts';
import { codeMatches, codeStatus, hashCode, parseCode } from './code-rules.ts';
import { assertNotLimited, limiterKeys, recordFailure } from './redeem-limiter.ts';

// Seed 000 §2.6, R-INV-9: a signed-in member uses a code once, within its validity. One
// conditional update claims the code, so of any number of concurrent redemptions exactly one
// wins; the grants (roles, the group of the scope, administration of the scope) are written in
// the same transaction. Failures are counted per member and per address (R-INV-12).

export interface Redemption {
  memberId: string;
  /** The client address, for the rate limit ('local' for the CLI's socket). */
  address: string;
  code: unknown;
  actor: Actor;
}

export interface Redeemed {
  codeId: string;
  member: string;
  scope: string;
  scopeType: 'organization' | 'group';
  rolesGranted: string[];
  administrator: boolean;
}

interface CodeRow {
  id: string;
  code_hash: Buffer;
  group_id: string | null;
  role_ids: string[];
  valid_until: Date;
  used_at: Date | null;
  disabled_at: Date | null;
}

interface MemberRow {
  id: string;
  username: string;
  status: string;
  user_type_id: string;
  role_id: string;
  role_parameter: string | null;
}

const REFUSED: Record<'used' | 'disabled' | 'expired', string> = {
  used: 'this invitation code was already used; each code can be used once',
  disabled: 'this invitation code was disabled by an administrator',
  expired: 'this invitation code has expired; ask for a new one',
};

export async function redeemCode(db: Knex, orgId: string, request: Redemption, now = new Date()): Promise<Redeemed> {
  const keys = limiterKeys(request.memberId, request.address);
  await assertNotLimited(db, orgId, keys, now);
  try {
    const code = parseCode(request.code);
    // Read before the transaction: the catalog is read with parallel queries, and a transaction
    // holds one connection.
    const catalog = await loadCatalog(db, orgId);
    return await db.transaction((trx) => claimAndGrant(trx, orgId, catalog, code, request, now));
  } catch (error) {
    if (error instanceof DomainError && !(error instanceof RateLimitedError)) await recordFailure(db, orgId, keys, now);
    throw error;
  }
}

async function claimAndGrant(trx: Knex.Transaction, orgId: string, { roles, userTypes }: Catalog, code: string, request: Redemption, now: Date): Promise<Redeemed> {
  const row = (await trx('invitation_codes').where({ org_id: orgId, code_hash: hashCode(code) }).first()) as CodeRow | undefined;
  if (!row || !codeMatches(code, row.code_hash)) throw ValidationError.field('code', 'this invitation code is not valid; check that it was copied completely');
  const status = codeStatus({ disabledAt: row.disabled_at, usedAt: row.used_at, validUntil: new Date(row.valid_until) }, now);
  if (status !== 'valid') throw new ConflictError(REFUSED[status], { status });
  const member = (await trx('members').where({ org_id: orgId, id: request.memberId }).first()) as MemberRow | undefined;
  if (!member) throw new NotFoundError('member', request.memberId);
  if (member.status !== 'active') throw new ForbiddenError('only an active member can use an invitation code');

  const claimed = affectedRows(await trx('invitation_codes')
    .where({ id: row.id }).whereNull('used_at').whereNull('disabled_at').andWhere('valid_until', '>', now)
    .update({ used_at: now, used_by_member_id: member.id }));
  if (claimed === 0) throw new ConflictError(REFUSED.used, { status: 'used' });

  const held = (await trx('member_roles').where('member_id', member.id).select('role_id', 'parameter')) as Array<{ role_id: string; parameter: string | null }>;
  const current: RoleGrant[] = [{ role_id: member.role_id, parameter: member.role_parameter }, ...held]
    .map((h) => ({ role: roles.find((r) => r.id === h.role_id)!, parameter: h.parameter }));
  const added = row.role_ids.filter((id) => !current.some((g) => g.role.id === id)).map((id) => ({ role: roles.find((r) => r.id === id)!, parameter: null }));
  const userType = userTypes.find((t) => t.id === member.user_type_id)!;
  const issues = roleGrantIssues([...current, ...added].map((g) => ({ ...g, field: 'roles' })), userType, roles);
  if (issues.length > 0) throw new ValidationError(issues, `this code's roles cannot be given to ${member.username}: ${issues.map((i) => i.message).join('; ')}`);
  if (added.length > 0) await trx('member_roles').insert(added.map((g) => ({ member_id: member.id, role_id: g.role.id, parameter: null })));

  let scopeName: string;
  if (row.group_id) {
    await trx('memberships').insert({ group_id: row.group_id, member_id: member.id }).onConflict(['group_id', 'member_id']).ignore();
    scopeName = ((await trx('groups').where('id', row.group_id).first('name')) as { name: string }).name;
  } else {
    scopeName = ((await trx('organizations').where('id', orgId).first('name')) as { name: string }).name;
  }
  const administrator = row.role_ids.some((id) => isAdministratorRole(roles.find((r) => r.id === id)!));
  if (administrator) await trx('scope_administrators').insert({ org_id: orgId, member_id: member.id, group_id: row.group_id }).onConflict().ignore();

  const result: Redeemed = {
    codeId: row.id, member: member.username, scope: scopeName, scopeType: row.group_id ? 'group' : 'organization',
    rolesGranted: added.map((g) => g.role.name), administrator,
  };
  await recordAudit(trx, { orgId, actor: request.actor, action: 'code.redeem', targetType: 'invitation_code', targetId: row.id, after: result });
  return result;
}
