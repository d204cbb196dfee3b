import type { Knex } from 'knex';
import type { Actor } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ConflictError, SignInDeniedError } from '../errors.ts';
import { enterpriseAccountName } from '../members/enterprise-login.ts';
import { createMember } from '../members/member-service.ts';
import type { PasswordHasher, VerifiedIdentity } from '../plugin-api.ts';
import { findOrganization } from '../orgs/organizations.ts';
import { createLink, linkedMember, unlinkedMatches } from '../links/identity-links.ts';
import { type InvitationAcceptanceHook, invitationRefusal } from './invitation-hook.ts';

// Which member an enterprise login (SAML, OIDC) signs in as. In order: an invitation the sign-in
// carries (its rules apply); the identity link; then the source's policy — link to one existing
// member by a configured rule, register a new member with the organization's defaults, or refuse.

export interface EnterprisePolicy {
  autoRegister: boolean;
  linkBy: 'none' | 'email' | 'username';
}

export interface EnterpriseSignInDeps {
  db: Knex;
  hasher: PasswordHasher;
  invitations: InvitationAcceptanceHook | null;
}

export interface EnterpriseSignInInput {
  orgId: string;
  source: string;
  policy: EnterprisePolicy;
  identity: VerifiedIdentity;
  invitationToken?: string | null | undefined;
}

export interface EnterpriseSignIn {
  memberId: string;
  outcome: 'linked' | 'matched' | 'registered' | 'invited';
}

const actorFor = (source: string): Actor => ({
  type: 'system',
  id: null,
  label: `sign-in through ${source}`,
  access: 'administrator',
});

function refuseDisabled(status: string): void {
  if (status === 'disabled')
    throw new SignInDeniedError('disabled', 'the member this login belongs to is disabled');
}

export async function signInEnterprise(
  deps: EnterpriseSignInDeps,
  input: EnterpriseSignInInput,
): Promise<EnterpriseSignIn> {
  const { orgId, source, identity } = input;
  return deps.db.transaction(async (trx) => {
    const link = { source, externalId: identity.externalId, login: identity.login };
    const linked = await linkedMember(trx, orgId, source, identity.externalId);
    if (input.invitationToken) {
      const memberId = await acceptInvitation(
        trx,
        deps.invitations,
        input,
        linked?.memberId ?? null,
      );
      if (!linked) await createLink(trx, orgId, { ...link, memberId });
      return { memberId, outcome: 'invited' };
    }
    if (linked) {
      refuseDisabled(linked.status);
      return { memberId: linked.memberId, outcome: 'linked' };
    }
    const rule = input.policy.linkBy;
    const value =
      rule === 'email'
        ? identity.email
        : rule === 'username'
          ? enterpriseAccountName(identity.login)
          : undefined;
    if (rule !== 'none' && value) {
      const matches = await unlinkedMatches(trx, orgId, source, rule, value);
      if (matches.length > 1)
        throw new SignInDeniedError(
          'ambiguous-match',
          `several members match this login by ${rule}: an administrator must link it`,
        );
      if (matches.length === 1) {
        refuseDisabled(matches[0]!.status);
        await createLink(trx, orgId, { ...link, memberId: matches[0]!.id });
        await recordAudit(trx, {
          orgId,
          actor: actorFor(source),
          action: 'member.link',
          targetType: 'member',
          targetId: matches[0]!.id,
          after: { source, login: identity.login, rule },
        });
        return { memberId: matches[0]!.id, outcome: 'matched' };
      }
    }
    if (!input.policy.autoRegister)
      throw new SignInDeniedError(
        'not-allowed',
        'the organization does not allow this login to join on its own',
      );
    return { memberId: await register(trx, deps.hasher, input), outcome: 'registered' };
  });
}

/** Automatic registration: the existing member use case, with the organization's defaults. */
async function register(
  trx: Knex.Transaction,
  hasher: PasswordHasher,
  input: EnterpriseSignInInput,
): Promise<string> {
  const { identity, source, orgId } = input;
  // No address from the provider: the organization's stand-in address, if it has one.
  const email =
    identity.email ??
    (await findOrganization(trx, orgId)).newMemberDefaults.standInEmail ??
    undefined;
  if (!email)
    throw new SignInDeniedError(
      'email-required',
      'the identity provider sent no (verified) email, and the organization has no stand-in address (newMemberDefaults.standInEmail) for members without one',
    );
  const username = enterpriseAccountName(identity.login);
  const names =
    identity.firstName && identity.lastName
      ? {
          firstName: identity.firstName,
          lastName: identity.lastName,
          ...(identity.displayName && { displayName: identity.displayName }),
        }
      : {
          displayName:
            identity.displayName ??
            ([identity.firstName, identity.lastName].filter(Boolean).join(' ') || username),
        };
  try {
    const member = await createMember(
      { db: trx, hasher },
      { orgId, actor: actorFor(source) },
      { username, email, source, ...names },
    );
    await createLink(trx, orgId, {
      memberId: member.id,
      source,
      externalId: identity.externalId,
      login: identity.login,
    });
    return member.id;
  } catch (error) {
    if (error instanceof ConflictError && error.details.field === 'username') {
      throw new SignInDeniedError(
        'username-taken',
        `a member named ${username} already exists: an administrator must link this login to it`,
      );
    }
    throw error;
  }
}

async function acceptInvitation(
  trx: Knex.Transaction,
  hook: InvitationAcceptanceHook | null,
  input: EnterpriseSignInInput,
  linkedId: string | null,
): Promise<string> {
  const invitation = hook ? await hook.find(trx, input.orgId, input.invitationToken!) : null;
  if (!hook || !invitation)
    throw new SignInDeniedError(
      'invitation-invalid',
      'this invitation is unknown, expired or already used',
    );
  const refusal = invitationRefusal(invitation, { enterprise: true, email: input.identity.email });
  if (refusal)
    throw new SignInDeniedError(
      refusal,
      refusal === 'invitation-email-mismatch'
        ? 'the email the identity provider sent is not the invited one'
        : 'this invitation accepts organization logins only',
    );
  if (linkedId && linkedId !== invitation.memberId)
    throw new SignInDeniedError(
      'invitation-invalid',
      'this login already belongs to another member',
    );
  await trx('members')
    .where({ id: invitation.memberId, org_id: input.orgId })
    .update({ status: 'active', source: input.source, updated_at: trx.fn.now() });
  await hook.accept(trx, input.orgId, invitation, {
    memberId: invitation.memberId,
    source: input.source,
    login: input.identity.login,
  });
  await recordAudit(trx, {
    orgId: input.orgId,
    actor: actorFor(input.source),
    action: 'invitation.accept',
    targetType: 'member',
    targetId: invitation.memberId,
    after: { invitationId: invitation.id, source: input.source, login: input.identity.login },
  });
  return invitation.memberId;
}
