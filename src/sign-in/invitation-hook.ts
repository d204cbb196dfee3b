import type { Knex } from 'knex';
import type { SignInRefusal } from '../errors.ts';

// The interface the invitations use case plugs into. A sign-in may carry an invitation
// token (the `invitation` query parameter of the sign-in page, kept through the redirect); the
// sign-in then joins the invited, pending member instead of looking for a link or a policy.
// Both methods run inside the sign-in's transaction and must use the `trx` handle they get.

export interface PendingInvitation {
  id: string;
  /** The address the invitation was sent to. */
  email: string;
  /** 'organization-logins' accepts only SAML/OIDC (enterprise) sign-ins. */
  mode: 'any-account' | 'organization-logins';
  /** The pending member the invitation created; accepting it links the login to this member. */
  memberId: string;
}

export interface AcceptedBy {
  memberId: string;
  source: string;
  login: string;
}

export interface InvitationAcceptanceHook {
  /** The invitation a token opens, or null when it is unknown, expired, used or deleted. */
  find(trx: Knex.Transaction, orgId: string, token: string): Promise<PendingInvitation | null>;
  /** Marks the invitation accepted (the member is already linked and active when it is called). */
  accept(
    trx: Knex.Transaction,
    orgId: string,
    invitation: PendingInvitation,
    by: AcceptedBy,
  ): Promise<void>;
}

/**
 * Organization logins only for that mode; and when the identity provider sends an
 * email, it must be the invited one (without regard to case), or joining is refused.
 */
export function invitationRefusal(
  invitation: PendingInvitation,
  signIn: { enterprise: boolean; email: string | undefined },
): SignInRefusal | null {
  if (invitation.mode === 'organization-logins' && !signIn.enterprise)
    return 'invitation-organization-logins';
  if (
    signIn.email !== undefined &&
    signIn.email.trim().toLowerCase() !== invitation.email.trim().toLowerCase()
  )
    return 'invitation-email-mismatch';
  return null;
}
