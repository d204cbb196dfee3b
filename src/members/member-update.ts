import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ValidationError } from '../errors.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { parseInput } from '../validation.ts';
import { resolveGroupIds } from '../groups/group-refs.ts';
import {
  changedMemberLicenses,
  claimLicenses,
  loadLicenseCatalog,
} from '../licenses/license-grants.ts';
import { updateMemberSchema } from './member-input.ts';
import { type Member, getMember } from './member-record.ts';
import { checkMemberFields, loadCatalogFor } from './member-rules.ts';
import {
  type MemberDeps,
  assertMayGrant,
  assertUsernameFree,
  replaceAdditionalRoles,
  replaceGroups,
  usernameTaken,
} from './member-service.ts';

// Changing a member: the same rules as at creation (username, roles the actor may give, user type
// and role that fit, licences), checked against what the member already has, then one audited
// write with the member's version.

export async function updateMember(
  deps: MemberDeps,
  scope: Scope,
  ref: string,
  input: unknown,
): Promise<Member> {
  requireWrite(scope.actor);
  const patch = parseInput(updateMemberSchema, input);
  const before = await getMember(deps.db, scope.orgId, ref);
  if (patch.username !== undefined && patch.username !== before.username) {
    const locked = await deps.db('members').where('id', before.id).first('username_locked');
    if (locked?.username_locked)
      throw ValidationError.field(
        'username',
        'cannot be changed: an invitation carrying it was sent',
      );
  }
  const catalog = await loadCatalogFor(deps.db, scope.orgId);
  const username = patch.username ?? before.username;
  const namesChanged =
    patch.firstName !== undefined ||
    patch.lastName !== undefined ||
    patch.displayName !== undefined;
  const resolved = checkMemberFields(
    {
      username,
      email: patch.email ?? before.email,
      firstName: patch.firstName ?? before.firstName,
      lastName: patch.lastName ?? before.lastName,
      displayName: namesChanged ? patch.displayName : before.displayName,
      userType: patch.userType ?? before.userType.id,
      role: patch.role ?? before.role.id,
      roleParameter:
        patch.roleParameter !== undefined
          ? patch.roleParameter
          : patch.role === undefined
            ? before.role.parameter
            : null,
      additionalRoles:
        patch.additionalRoles ??
        before.additionalRoles.map((r) => ({ role: r.id, parameter: r.parameter })),
      password: patch.password,
    },
    catalog,
    {
      usernameRules: patch.username !== undefined && before.source === 'builtin',
      emailTyped: patch.email !== undefined,
    },
  );
  assertMayGrant(scope.actor, resolved, [
    before.role.id,
    ...before.additionalRoles.map((r) => r.id),
  ]);
  const licenses = changedMemberLicenses(
    patch.licenses,
    before.licenses,
    resolved.userType,
    await loadLicenseCatalog(deps.db, scope.orgId, catalog.userTypes),
  );
  if (patch.username !== undefined && patch.password === undefined)
    await assertPasswordIsNotUsername(deps, before.id, username);
  const passwordHash =
    patch.password === undefined ? undefined : await deps.hasher.hash(patch.password);

  try {
    return await deps.db.transaction(async (trx) => {
      if (patch.username !== undefined)
        await assertUsernameFree(trx, scope.orgId, username, before.id);
      const groupIds =
        patch.groups === undefined
          ? undefined
          : await resolveGroupIds(trx, scope.orgId, patch.groups);
      await trx('members')
        .where({ id: before.id, org_id: scope.orgId })
        .update({
          username,
          email: patch.email ?? before.email,
          first_name: resolved.firstName,
          last_name: resolved.lastName,
          display_name: resolved.displayName,
          ...(patch.description !== undefined && { description: patch.description }),
          user_type_id: resolved.userType.id,
          role_id: resolved.role.id,
          role_parameter:
            patch.roleParameter !== undefined
              ? patch.roleParameter
              : patch.role === undefined
                ? before.role.parameter
                : null,
          licenses,
          ...(patch.categories !== undefined && { categories: patch.categories }),
          ...(patch.credits !== undefined && { credits: patch.credits }),
          ...(patch.settings !== undefined && { settings: JSON.stringify(patch.settings) }),
          ...(passwordHash !== undefined && {
            password_hash: passwordHash,
            must_change_password: patch.mustChangePassword ?? true,
          }),
          ...(passwordHash === undefined &&
            patch.mustChangePassword !== undefined && {
              must_change_password: patch.mustChangePassword,
            }),
          version: trx.raw('version + 1'),
          updated_at: trx.fn.now(),
        });
      await replaceAdditionalRoles(trx, before.id, resolved.additionalRoles);
      if (groupIds) await replaceGroups(trx, before.id, groupIds);
      if (before.status !== 'pending')
        await claimLicenses(trx, scope.orgId, [
          licenses.filter((name) => !before.licenses.includes(name)),
        ]);
      const after = await getMember(trx, scope.orgId, before.id);
      await recordAudit(trx, {
        orgId: scope.orgId,
        actor: scope.actor,
        action: 'member.update',
        targetType: 'member',
        targetId: before.id,
        before,
        after,
      });
      return after;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'members_username_key')) throw usernameTaken(username);
    throw error;
  }
}

/** A new username must not be the member's current password. */
async function assertPasswordIsNotUsername(
  deps: MemberDeps,
  memberId: string,
  username: string,
): Promise<void> {
  const row = await deps.db('members').where('id', memberId).first('password_hash');
  if (row?.password_hash && (await deps.hasher.verify(row.password_hash, username))) {
    throw ValidationError.field('username', 'must not be the same as the password');
  }
}
