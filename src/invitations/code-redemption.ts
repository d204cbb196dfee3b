import type { Knex } from 'knex';
import { rawRows } from '../store/raw-rows.ts';
import type { Actor } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { type Catalog, loadCatalog } from '../catalog/catalog-store.ts';
import { type RoleGrant, roleGrantIssues } from '../catalog/compatibility.ts';
import { isAdministratorRole } from '../access/privileges.ts';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../errors.ts';
import { grantGroupRoles, groupRolesOf } from '../groups/group-roles.ts';
import { codeMatches, codeStatus, hashCode, parseCode } from './code-rules.ts';
import { assertNotLimited, limiterKeys, recordFailure } from './redeem-limiter.ts';

// A signed-in member uses a code once, within its validity. One
// conditional update claims the code, so of any number of concurrent redemptions exactly one
// wins; the grants (roles, the group of the scope, administration of the scope) are written in
// the same transaction. Failures are counted per member and per address.

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

export async function redeemCode(
  db: Knex,
  orgId: string,
  request: Redemption,
  now = new Date(),
): Promise<Redeemed> {
  const keys = limiterKeys(request.memberId, request.address);
  await assertNotLimited(db, orgId, keys, now);
  try {
    const code = parseCode(request.code);
    // Read before the transaction: the catalog is read with parallel queries, and a transaction
    // holds one connection.
    const catalog = await loadCatalog(db, orgId);
    return await db.transaction((trx) => claimAndGrant(trx, orgId, catalog, code, request, now));
  } catch (error) {
    if (error instanceof DomainError && !(error instanceof RateLimitedError))
      await recordFailure(db, orgId, keys, now);
    throw error;
  }
}

interface ClaimedRow {
  id: string;
  code_hash: Uint8Array;
  group_id: string | null;
  role_ids: string[];
  role_parameter: string | null;
  scope_name: string;
}

/** Why a code could not be claimed: read only on this (failing) path. */
async function refusal(
  trx: Knex.Transaction,
  orgId: string,
  code: string,
  now: Date,
): Promise<DomainError> {
  const row = await trx('invitation_codes')
    .where({ org_id: orgId, code_hash: hashCode(code) })
    .first();
  if (!row || !codeMatches(code, row.code_hash))
    return ValidationError.field(
      'code',
      'this invitation code is not valid; check that it was copied completely',
    );
  const status = codeStatus(
    { disabledAt: row.disabled_at, usedAt: row.used_at, validUntil: new Date(row.valid_until) },
    now,
  );
  // Valid when read but not claimable a moment before: another redemption took it.
  return status === 'valid'
    ? new ConflictError(REFUSED.used, { codeStatus: 'used' })
    : new ConflictError(REFUSED[status], { codeStatus: status });
}

async function claimAndGrant(
  trx: Knex.Transaction,
  orgId: string,
  { roles, userTypes }: Catalog,
  code: string,
  request: Redemption,
  now: Date,
): Promise<Redeemed> {
  const [member] = await rawRows<
    MemberRow & { held: Array<{ role_id: string; parameter: string | null }> }
  >(
    trx,
    `select m.id, m.username, m.status, m.user_type_id, m.role_id, m.role_parameter,
            coalesce(json_agg(json_build_object('role_id', mr.role_id, 'parameter', mr.parameter)) filter (where mr.role_id is not null), '[]') as held
     from members m left join member_roles mr on mr.member_id = m.id
     where m.org_id = ? and m.id = ? group by m.id`,
    [orgId, request.memberId],
  );
  if (!member) throw new NotFoundError('member', request.memberId);
  if (member.status !== 'active')
    throw new ForbiddenError('only an active member can use an invitation code');

  // One conditional update claims the code; the grants below can still refuse, and then the
  // transaction (and with it the claim) rolls back.
  const [row] = await rawRows<ClaimedRow>(
    trx,
    `update invitation_codes c set used_at = ?, used_by_member_id = ?
     where c.org_id = ? and c.code_hash = ? and c.used_at is null and c.disabled_at is null and c.valid_until > ?
     returning c.id, c.code_hash, c.group_id, c.role_ids, c.role_parameter,
       coalesce((select g.name from groups g where g.id = c.group_id), (select o.name from organizations o where o.id = c.org_id)) as scope_name`,
    [now, member.id, orgId, hashCode(code), now],
  );
  if (!row || !codeMatches(code, row.code_hash)) throw await refusal(trx, orgId, code, now);

  // A group's code grants its roles within that group; they count together with the roles the
  // member holds in the organization and in that group.
  const inGroup = row.group_id
    ? (await groupRolesOf(trx, [member.id])).filter((g) => g.groupId === row.group_id)
    : [];
  const current: RoleGrant[] = [
    { role_id: member.role_id, parameter: member.role_parameter },
    ...member.held,
    ...inGroup.map((g) => ({ role_id: g.roleId, parameter: g.parameter })),
  ].map((h) => ({ role: roles.find((r) => r.id === h.role_id)!, parameter: h.parameter }));
  const added = row.role_ids
    .filter((id) => !current.some((g) => g.role.id === id))
    .map((id) => {
      const role = roles.find((r) => r.id === id)!;
      return { role, parameter: role.parameterName ? row.role_parameter : null };
    });
  const userType = userTypes.find((t) => t.id === member.user_type_id)!;
  const issues = roleGrantIssues(
    [...current, ...added].map((g) => ({ ...g, field: 'roles' })),
    userType,
    roles,
  );
  if (issues.length > 0)
    throw new ValidationError(
      issues,
      `this code's roles cannot be given to ${member.username}: ${issues.map((i) => i.message).join('; ')}`,
    );
  const grants = added.map((g) => ({ roleId: g.role.id, parameter: g.parameter }));
  if (row.group_id) {
    await trx('memberships')
      .insert({ group_id: row.group_id, member_id: member.id })
      .onConflict(['group_id', 'member_id'])
      .ignore();
    await grantGroupRoles(trx, member.id, row.group_id, grants);
  } else if (grants.length > 0) {
    await trx('member_roles').insert(
      grants.map((g) => ({ member_id: member.id, role_id: g.roleId, parameter: g.parameter })),
    );
  }
  const administrator = row.role_ids.some((id) =>
    isAdministratorRole(roles.find((r) => r.id === id)!),
  );
  if (administrator)
    await trx('scope_administrators')
      .insert({ org_id: orgId, member_id: member.id, group_id: row.group_id })
      .onConflict()
      .ignore();

  const result: Redeemed = {
    codeId: row.id,
    member: member.username,
    scope: row.scope_name,
    scopeType: row.group_id ? 'group' : 'organization',
    rolesGranted: added.map((g) => g.role.name),
    administrator,
  };
  await recordAudit(trx, {
    orgId,
    actor: request.actor,
    action: 'code.redeem',
    targetType: 'invitation_code',
    targetId: row.id,
    after: result,
  });
  return result;
}
