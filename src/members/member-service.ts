import type { Knex } from 'knex';
import { type Actor, type Scope, requireWrite } from '../access/actor.ts';
import { isAdministratorRole } from '../access/privileges.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import { type NewMemberDefaults, findOrganization } from '../orgs/organizations.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { providerEmailProblem } from './email-rules.ts';
import { parseInput } from '../validation.ts';
import { resolveGroupIds } from '../groups/group-refs.ts';
import { transferOrDeleteOwned } from '../resources/ownership.ts';
import {
  claimLicenses,
  loadLicenseCatalog,
  newMemberLicenses,
} from '../licenses/license-grants.ts';
import { type CreateMemberInput, createMemberSchema, deleteMemberSchema } from './member-input.ts';
import { type Member, getMember } from './member-record.ts';
import {
  type ResolvedMember,
  assertWithinMembershipLimit,
  checkMemberFields,
  loadCatalogFor,
} from './member-rules.ts';
import { newMemberTypeAndRole } from './new-member-defaults.ts';

export interface MemberDeps {
  db: Knex;
  hasher: PasswordHasher;
}

export function usernameTaken(username: string): ConflictError {
  return new ConflictError(
    `the username "${username}" is already taken in this organization (usernames are compared without regard to case)`,
    { field: 'username' },
  );
}

export async function assertUsernameFree(
  trx: Knex.Transaction,
  orgId: string,
  username: string,
  exceptId?: string,
): Promise<void> {
  const query = trx('members')
    .where('org_id', orgId)
    .andWhereRaw('lower(username) = lower(?)', [username]);
  if (exceptId) query.andWhereNot('id', exceptId);
  if (await query.first('id')) throw usernameTaken(username);
}

export async function replaceAdditionalRoles(
  trx: Knex.Transaction,
  memberId: string,
  grants: Array<{ role: { id: string }; parameter: string | null }>,
) {
  await trx('member_roles').where('member_id', memberId).delete();
  if (grants.length > 0) {
    await trx('member_roles').insert(
      grants.map((g) => ({ member_id: memberId, role_id: g.role.id, parameter: g.parameter })),
    );
  }
}

export async function replaceGroups(trx: Knex.Transaction, memberId: string, groupIds: string[]) {
  await trx('memberships').where('member_id', memberId).delete();
  if (groupIds.length > 0)
    await trx('memberships').insert(
      groupIds.map((group_id) => ({ group_id, member_id: memberId })),
    );
}

export interface PreparedMember {
  request: CreateMemberInput;
  defaults: NewMemberDefaults;
  resolved: ResolvedMember;
  roleParameter: string | null;
  /** The catalog names of the licences the member gets. */
  licenses: string[];
  passwordHash: string | null;
  source: string;
}

/** Checks a new member against the rules and the catalog, outside any transaction (the organization's defaults fill what is left out). */
export async function prepareMember(
  deps: MemberDeps,
  scope: Scope,
  input: unknown,
): Promise<PreparedMember> {
  requireWrite(scope.actor);
  const request = parseInput(createMemberSchema, input);
  const org = await findOrganization(deps.db, scope.orgId);
  const defaults = org.newMemberDefaults;
  const catalog = await loadCatalogFor(deps.db, scope.orgId);
  const fields = {
    ...request,
    ...newMemberTypeAndRole(defaults, request),
  };
  const source = request.source ?? 'builtin';
  // A member whose identity lives at a provider keeps the address the provider gave, judged as
  // RFC 5321 allows (apostrophes included), not by the rule for addresses administrators type.
  const typed = source === 'builtin';
  const providerIssue = typed ? null : providerEmailProblem(request.email);
  if (providerIssue) throw ValidationError.field('email', providerIssue);
  const resolved = checkMemberFields(fields, catalog, { usernameRules: typed, emailTyped: typed });
  const licenses = newMemberLicenses(
    request.licenses,
    defaults.licenses ?? [],
    resolved.userType,
    await loadLicenseCatalog(deps.db, scope.orgId, catalog.userTypes),
  );
  const passwordHash =
    request.password === undefined ? null : await deps.hasher.hash(request.password);
  return {
    request,
    defaults,
    resolved,
    roleParameter: fields.roleParameter ?? null,
    licenses,
    passwordHash,
    source,
  };
}

/**
 * Writes a prepared member inside the caller's transaction (the invitations write the pending
 * member, the invitation and its mail together). A username taken by a concurrent insert surfaces
 * as a unique violation the caller turns into a conflict with `usernameConflict`.
 */
export async function insertMember(
  trx: Knex.Transaction,
  scope: Scope,
  prepared: PreparedMember,
  extra: { usernameLocked?: boolean } = {},
): Promise<Member> {
  const { request, defaults, resolved, passwordHash, source } = prepared;
  await assertWithinMembershipLimit(trx, scope.orgId, 1);
  await assertUsernameFree(trx, scope.orgId, request.username);
  const groupIds = await resolveGroupIds(trx, scope.orgId, request.groups ?? defaults.groups ?? []);
  const [row] = await trx('members')
    .insert({
      org_id: scope.orgId,
      username: request.username,
      email: request.email,
      first_name: resolved.firstName,
      last_name: resolved.lastName,
      display_name: resolved.displayName,
      description: request.description ?? '',
      user_type_id: resolved.userType.id,
      role_id: resolved.role.id,
      role_parameter: prepared.roleParameter,
      status: request.status ?? 'active',
      source,
      licenses: prepared.licenses,
      categories: request.categories ?? defaults.categories ?? [],
      credits: request.credits !== undefined ? request.credits : (defaults.credits ?? null),
      settings: JSON.stringify(request.settings ?? defaults.settings ?? {}),
      password_hash: passwordHash,
      must_change_password: passwordHash !== null && (request.mustChangePassword ?? true),
      username_locked: extra.usernameLocked ?? false,
    })
    .returning('id');
  const id = (row as { id: string }).id;
  await replaceAdditionalRoles(trx, id, resolved.additionalRoles);
  await replaceGroups(trx, id, groupIds);
  // Licences given with an invitation count once it is accepted.
  if ((request.status ?? 'active') !== 'pending')
    await claimLicenses(trx, scope.orgId, [prepared.licenses]);
  const member = await getMember(trx, scope.orgId, id);
  await recordAudit(trx, {
    orgId: scope.orgId,
    actor: scope.actor,
    action: 'member.create',
    targetType: 'member',
    targetId: id,
    after: member,
  });
  return member;
}

/** The conflict for a username unique violation, or the error unchanged. */
export function usernameConflict(error: unknown, username: string): unknown {
  return isUniqueViolation(error, 'members_username_key') ? usernameTaken(username) : error;
}

/**
 * Only administrators give an administrator role: an Editor API key or a scope administrator who
 * could would make themselves an administrator through the member they create or change.
 */
export function assertMayGrant(
  actor: Actor,
  resolved: ResolvedMember,
  heldRoleIds: string[],
): void {
  if (actor.access === 'administrator') return;
  const granted = [resolved.role, ...resolved.additionalRoles.map((g) => g.role)].find(
    (role) => isAdministratorRole(role) && !heldRoleIds.includes(role.id),
  );
  if (granted)
    throw new ForbiddenError(
      `giving the ${granted.name} role (an administrator role) is reserved to administrators`,
    );
}

/** Creates one member; the defaults of the organization fill what the request leaves out. */
export async function createMember(
  deps: MemberDeps,
  scope: Scope,
  input: unknown,
): Promise<Member> {
  const prepared = await prepareMember(deps, scope, input);
  assertMayGrant(scope.actor, prepared.resolved, []);
  try {
    return await deps.db.transaction((trx) => insertMember(trx, scope, prepared));
  } catch (error) {
    throw usernameConflict(error, prepared.request.username);
  }
}

export async function setMemberStatus(
  deps: MemberDeps,
  scope: Scope,
  ref: string,
  status: 'active' | 'disabled',
): Promise<Member> {
  requireWrite(scope.actor);
  return deps.db.transaction(async (trx) => {
    const before = await getMember(trx, scope.orgId, ref);
    if (before.status === status) return before;
    if (status === 'active' && before.status === 'pending') {
      throw new ConflictError(
        'a pending member becomes active by accepting the invitation, not by being enabled',
      );
    }
    await trx('members')
      .where({ id: before.id })
      .update({ status, version: trx.raw('version + 1'), updated_at: trx.fn.now() });
    const after = await getMember(trx, scope.orgId, before.id);
    const action = status === 'active' ? 'member.enable' : 'member.disable';
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action,
      targetType: 'member',
      targetId: before.id,
      before: { status: before.status },
      after: { status },
    });
    return after;
  });
}

export interface DeletionResult {
  deleted: Member;
  transferredTo: string | null;
  resourcesTransferred: number;
  resourcesDeleted: number;
}

/**
 * Irreversible. What the member owns goes to `transferTo` (an active member whose
 * role may own content) or is deleted with it; its access entries, links and memberships go.
 */
export async function deleteMember(
  deps: MemberDeps,
  scope: Scope,
  ref: string,
  input: unknown,
): Promise<DeletionResult> {
  requireWrite(scope.actor);
  const { transferTo } = parseInput(deleteMemberSchema, input ?? {});
  return deps.db.transaction(async (trx) => {
    const member = await getMember(trx, scope.orgId, ref);
    const outcome = await transferOrDeleteOwned(
      trx,
      scope.orgId,
      { memberId: member.id },
      transferTo,
    );
    await trx('members').where({ id: member.id, org_id: scope.orgId }).delete();
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'member.delete',
      targetType: 'member',
      targetId: member.id,
      before: member,
      after: {
        transferredTo: outcome.transferredTo,
        resourcesTransferred: outcome.transferred,
        resourcesDeleted: outcome.deleted,
      },
    });
    return {
      deleted: member,
      transferredTo: outcome.transferredTo,
      resourcesTransferred: outcome.transferred,
      resourcesDeleted: outcome.deleted,
    };
  });
}
