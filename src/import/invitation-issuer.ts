import type { Knex } from 'knex';
import type { Scope } from '../access/actor.ts';
import { UnavailableError } from '../errors.ts';
import type { ModeId } from './import-modes.ts';

// The import's only dependency on invitations (issue 6): the rows of the invite modes and of
// "add and notify", already validated, are handed over inside the batch's transaction, so that the
// pending members, invitations and outbox mail commit or roll back with the rest of the batch.

export interface InvitationRow {
  line: number;
  email: string;
  /** "add and notify" pre-creates the username; the invite modes let the invitee choose. */
  username: string | null;
  firstName: string;
  lastName: string;
  userTypeId: string;
  roleId: string;
}

export interface InvitationIssuer {
  issue(trx: Knex.Transaction, scope: Scope, mode: ModeId, rows: InvitationRow[]): Promise<{ issued: number }>;
}

/** Until issue 6 lands there is nothing to issue invitations with: refuse, so the batch writes nothing. */
export const invitationsNotAvailable: InvitationIssuer = {
  async issue(_trx, _scope, mode) {
    throw new UnavailableError(
      `invitations are not available yet in this build: mode ${mode} sends invitations (or notifications), which come with the invitations feature (issue 6); the file was validated and nothing was written`,
    );
  },
};
