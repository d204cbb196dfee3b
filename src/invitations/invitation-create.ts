import type { Knex } from 'knex';
import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { type Catalog, loadCatalog } from '../catalog/catalog-store.ts';
import { type CatalogRole, findRole, findUserType } from '../catalog/compatibility.ts';
import { isAdministratorRole } from '../access/privileges.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import { resolveGroupIds } from '../groups/group-refs.ts';
import { loadLicenseCatalog, newMemberLicenses } from '../licenses/license-grants.ts';
import { assertGroupsInReach } from '../access/reach.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { SharedMemberFields } from '../members/member-bulk-insert.ts';
import { checkMemberFields } from '../members/member-rules.ts';
import {
  type MemberDeps,
  type PreparedMember,
  insertMember,
  prepareMember,
  usernameConflict,
  usernameTaken,
} from '../members/member-service.ts';
import { sharedDefaults } from '../members/shared-defaults.ts';
import { type Organization, findOrganization } from '../orgs/organizations.ts';
import { parseInput } from '../validation.ts';
import { type Invitee, type SentInvitationMode, writeInvitations } from './invitation-batch.ts';
import { type Invitation, presentInvitation, selectInvitations } from './invitation-record.ts';
import type { LinkSealer } from './link-sealer.ts';
import {
  type ConfiguredSource,
  organizationLoginsIssue,
  placeholderUsername,
} from './invitation-rules.ts';
import {
  type CreateRequest,
  addresses,
  checkRequest,
  checkWithoutRole,
  createInvitationSchema,
} from './invitation-request.ts';
import { newMemberTypeAndRole } from '../members/new-member-defaults.ts';

// Invite one or many addresses. Each new invitee is a pending member
// (counted toward the limit) written with the invitation and its mail in one transaction, and
// one refused address refuses the whole request, so nothing is half written. An address that
// already belongs to an active member of the organization gets the role and groups directly and
// is told by mail. "Add without invitation" creates an active member and sends nothing.

export interface InvitationDeps extends MemberDeps {
  publicUrl: string;
  links: LinkSealer;
  /** The configured sources of an organization (organization logins need a SAML or OIDC one). */
  sources(orgId: string): ReadonlyArray<ConfiguredSource>;
}

export interface CreatedInvitations {
  items: Invitation[];
  total: number;
}

export async function createInvitations(
  deps: InvitationDeps,
  scope: Scope,
  input: unknown,
  now = new Date(),
): Promise<CreatedInvitations> {
  requireWrite(scope.actor);
  const request = parseInput(createInvitationSchema, input);
  const emails = addresses(request);
  const org = await findOrganization(deps.db, scope.orgId);
  const catalog = await loadCatalog(deps.db, scope.orgId);
  const withoutRole = request.role === null;
  if (withoutRole) checkWithoutRole(request, org);
  // Without a role, the role resolved here is the member's default one, not the invitation's.
  const roleName = newMemberTypeAndRole(org.newMemberDefaults, request).role;
  const role = findRole(catalog.roles, roleName);
  if (!role)
    throw ValidationError.field(
      'role',
      `unknown role ${JSON.stringify(roleName)}; known: ${catalog.roles.map((r) => r.name).join(', ')}`,
    );
  checkRequest(request, emails.length, role, org);
  if (request.mode === 'organization-logins') {
    const issue = organizationLoginsIssue(deps.sources(scope.orgId));
    if (issue) throw ValidationError.field('mode', issue);
  }
  if (scope.actor.groupIds) {
    const groupIds = await resolveGroupIds(deps.db, scope.orgId, request.groups ?? []);
    assertGroupsInReach(scope.actor, groupIds, 'groups');
    if (isAdministratorRole(role))
      throw new ForbiddenError(
        `role: ${role.name} is an administrator role; only the organization's administrators invite with it`,
      );
  }

  const existing = await existingMembers(deps.db, scope.orgId, emails);
  const fresh = emails.filter((email) => !existing.has(email.toLowerCase()));
  const direct = request.mode === 'add-without-invitation';
  const added =
    direct && fresh.length > 0
      ? await prepareMember(deps, scope, memberInput(request, fresh[0]!))
      : null;
  const invitees = direct ? [] : fresh.map((email) => invitee(request, email, catalog, org));
  const shared = direct ? {} : await requestedDefaults(deps.db, scope.orgId, org, request, catalog);
  const created: Array<{ email: string; id: string; link: string | null }> = [];
  await deps.db
    .transaction(async (trx) => {
      for (const email of emails) {
        const member = existing.get(email.toLowerCase());
        if (member)
          created.push({
            email,
            ...(await addExisting(trx, scope, org, request, role, email, member, now, deps.links)),
          });
      }
      if (added)
        created.push({
          email: fresh[0]!,
          ...(await addWithoutInvitation(trx, scope, request, role, fresh[0]!, added, now)),
        });
      const { written, taken } = await writeInvitations(
        trx,
        scope,
        org,
        {
          mode: request.mode as SentInvitationMode,
          withoutRole,
          language: request.language,
          message: request.message ?? null,
          mustUseInvitedEmail: request.mustUseInvitedEmail,
          source: request.source ?? null,
          publicUrl: deps.publicUrl,
          links: deps.links,
          now,
        },
        invitees,
        shared,
      );
      if (taken.length > 0) throw usernameTaken(taken[0]!.username ?? taken[0]!.email);
      created.push(...written.map((w) => ({ email: w.email, id: w.id, link: w.link })));
    })
    .catch((error: unknown) => {
      throw usernameConflict(error, request.username ?? '');
    });
  const rows = new Map(
    (
      await selectInvitations(deps.db, scope.orgId).whereIn(
        'i.id',
        created.map((c) => c.id),
      )
    ).map((r) => [r.id, r]),
  );
  // In the order the addresses were given.
  const position = new Map(emails.map((email, i) => [email, i]));
  created.sort((a, b) => position.get(a.email)! - position.get(b.email)!);
  const items = created.map((c) => presentInvitation(rows.get(c.id)!, now, c.link));
  return { items, total: items.length };
}

/** The pending member of one address, checked against the member rules with the catalog loaded once for all. */
function invitee(
  request: CreateRequest,
  email: string,
  catalog: Catalog,
  org: Organization,
): Invitee {
  const input = memberInput(request, email);
  const resolved = checkMemberFields(
    { ...input, ...newMemberTypeAndRole(org.newMemberDefaults, request) },
    catalog,
    { usernameRules: request.username !== undefined },
  );
  return {
    email,
    username: request.username ?? null,
    firstName: resolved.firstName,
    lastName: resolved.lastName,
    displayName: resolved.displayName,
    userTypeId: resolved.userType.id,
    role: resolved.role,
    roleParameter: request.roleParameter ?? null,
    externalId: request.externalId ?? null,
  };
}

/** The organization's defaults, with the groups and licenses the request names in their place. */
async function requestedDefaults(
  db: Knex,
  orgId: string,
  org: Organization,
  request: CreateRequest,
  catalog: Catalog,
): Promise<SharedMemberFields> {
  // The licences named are checked against the invitees' user type now; they count once accepted.
  const userType = findUserType(
    catalog.userTypes,
    newMemberTypeAndRole(org.newMemberDefaults, request).userType,
  );
  const licenses =
    request.licenses &&
    userType &&
    newMemberLicenses(
      request.licenses,
      [],
      userType,
      await loadLicenseCatalog(db, orgId, catalog.userTypes),
    );
  const defaults = await sharedDefaults(db, orgId, {
    ...org.newMemberDefaults,
    ...(request.groups && { groups: [] }),
  });
  return {
    ...defaults,
    ...(request.groups && { groupIds: await resolveGroupIds(db, orgId, request.groups) }),
    ...(licenses && { licenses }),
  };
}

function memberInput(request: CreateRequest, email: string) {
  const named = request.firstName || request.lastName;
  return {
    username: request.username ?? placeholderUsername(),
    email,
    ...(named
      ? { firstName: request.firstName, lastName: request.lastName }
      : { displayName: email.split('@')[0] }),
    userType: request.userType,
    role: request.role ?? undefined,
    roleParameter: request.roleParameter,
    groups: request.groups,
    licenses: request.licenses,
    password: request.password,
    status: 'active',
    ...(request.source && { source: request.source }),
  };
}

async function existingMembers(
  db: Knex,
  orgId: string,
  emails: string[],
): Promise<Map<string, { id: string; status: string }>> {
  const rows = await db('members')
    .where('org_id', orgId)
    .whereRaw('lower(email) = any(?)', [emails.map((e) => e.toLowerCase())])
    .select('id', 'email', 'status');
  const found = new Map<string, { id: string; status: string }>();
  for (const row of rows) {
    if (row.email === null) continue; // matched by email: never null
    const key = row.email.toLowerCase();
    if (row.status === 'pending')
      throw new ConflictError(
        `${row.email} is already invited and pending; resend that invitation instead`,
        { field: 'email' },
      );
    if (found.has(key))
      throw new ConflictError(
        `several members have the address ${row.email}; give the role to the right one directly`,
        { field: 'email' },
      );
    found.set(key, row);
  }
  return found;
}

async function insertInvitation(
  trx: Knex.Transaction,
  values: Record<string, unknown>,
): Promise<string> {
  const [row] = await trx('invitations').insert(values).returning('id');
  return row!.id;
}

/** "Add without invitation": an active member at once, recorded as an invitation that was never sent. */
async function addWithoutInvitation(
  trx: Knex.Transaction,
  scope: Scope,
  request: CreateRequest,
  role: CatalogRole,
  email: string,
  prepared: PreparedMember,
  now: Date,
) {
  const member = await insertMember(trx, scope, prepared);
  const id = await insertInvitation(trx, {
    org_id: scope.orgId,
    member_id: member.id,
    email,
    role_id: request.role === null ? null : role.id,
    mode: 'add-and-notify',
    status: 'added',
    must_use_invited_email: request.mustUseInvitedEmail,
    language: request.language,
    message: request.message ?? null,
    invited_by: scope.actor.label,
    source: request.source ?? null,
    external_id: request.externalId ?? null,
    created_at: now,
    sent_at: now,
    expires_at: now,
  });
  return { id, link: null };
}

async function addExisting(
  trx: Knex.Transaction,
  scope: Scope,
  org: Organization,
  request: CreateRequest,
  role: CatalogRole,
  email: string,
  member: { id: string },
  now: Date,
  links: LinkSealer,
) {
  const withoutRole = request.role === null;
  const current = await trx('members').where('id', member.id).first('role_id');
  // An existing member invited without a role is only told; no role is added.
  if (!withoutRole && current!.role_id !== role.id) {
    await trx('member_roles')
      .insert({ member_id: member.id, role_id: role.id, parameter: request.roleParameter ?? null })
      .onConflict(['member_id', 'role_id'])
      .ignore();
  }
  const groupIds = await resolveGroupIds(trx, scope.orgId, request.groups ?? []);
  if (groupIds.length > 0)
    await trx('memberships')
      .insert(groupIds.map((group_id) => ({ group_id, member_id: member.id })))
      .onConflict(['group_id', 'member_id'])
      .ignore();
  const id = await insertInvitation(trx, {
    org_id: scope.orgId,
    member_id: member.id,
    email,
    role_id: withoutRole ? null : role.id,
    mode: 'existing-account',
    status: 'added',
    language: request.language,
    message: request.message ?? null,
    invited_by: scope.actor.label,
    created_at: now,
    sent_at: now,
    expires_at: now,
    accepted_at: now,
  });
  await enqueueMail(
    trx,
    {
      orgId: scope.orgId,
      invitationId: id,
      recipient: email,
      template: 'added-to-organization',
      language: request.language,
      data: {
        organization: org.name,
        inviter: scope.actor.label,
        role: withoutRole ? null : role.name,
        link: null,
        message: request.message ?? null,
        username: null,
        expiresAt: null,
      },
    },
    links,
  );
  await recordAudit(trx, {
    orgId: scope.orgId,
    actor: scope.actor,
    action: 'invitation.add-existing',
    targetType: 'member',
    targetId: member.id,
    after: { email, role: withoutRole ? null : role.name, invitationId: id },
  });
  return { id, link: null };
}
