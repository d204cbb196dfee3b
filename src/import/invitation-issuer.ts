import type { Knex } from 'knex';
import type { Scope } from '../access/actor.ts';
import { type SentInvitationMode, writeInvitations } from '../invitations/invitation-batch.ts';
import type { MailLanguage } from '../invitations/invitation-rules.ts';
import type { LinkSealer } from '../invitations/link-sealer.ts';
import type { SharedMemberFields } from '../members/member-bulk-insert.ts';
import type { Organization } from '../orgs/organizations.ts';
import type { ModeId } from './import-modes.ts';
import type { ValidRow } from './row-validation.ts';

// The rows of the invite modes and of "add and notify", already validated, become invitations
// through the invitations' own write path, inside the batch's transaction: the pending members,
// invitations and their mail commit or roll back with the rest of the batch.

const INVITATION_MODE: Partial<Record<ModeId, SentInvitationMode>> = {
  'add-notify': 'add-and-notify',
  'invite-any': 'any-account',
  'invite-org-logins': 'organization-logins',
};

export interface ImportInvitations {
  org: Organization;
  shared: SharedMemberFields;
  publicUrl: string;
  links: LinkSealer;
  language: MailLanguage;
  message: string | null;
  roleNames: Map<string, string>;
}

/** Returns how many invitations were issued; a row whose username was taken since validation gets none. */
export async function issueImportInvitations(
  trx: Knex.Transaction,
  scope: Scope,
  mode: ModeId,
  rows: ValidRow[],
  ctx: ImportInvitations,
): Promise<number> {
  const invitationMode = INVITATION_MODE[mode];
  if (!invitationMode) throw new Error(`import mode ${mode} sends no invitations`);
  const { written } = await writeInvitations(
    trx,
    scope,
    ctx.org,
    {
      mode: invitationMode,
      language: ctx.language,
      message: ctx.message,
      mustUseInvitedEmail: false,
      source: null,
      publicUrl: ctx.publicUrl,
      links: ctx.links,
      now: new Date(),
    },
    rows.map((r) => ({
      email: r.email,
      // "Add and notify" pre-creates the username; in the invite modes the row's key is its email and the invitee chooses.
      username: invitationMode === 'add-and-notify' ? r.username : null,
      firstName: r.firstName,
      lastName: r.lastName,
      displayName: r.displayName,
      userTypeId: r.userTypeId,
      role: { id: r.roleId, name: ctx.roleNames.get(r.roleId) ?? '' },
    })),
    ctx.shared,
  );
  return written.length;
}
