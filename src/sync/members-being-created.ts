import type { Candidate, Correlation } from './user-plan.ts';

interface NewMemberKeys {
  username: string;
  email: string | null;
}

/**
 * The members a run is creating, by username and by email (lowercased), to the external id each
 * is made for. When batches are written at once, a batch is planned before the one before it has
 * committed: its reads cannot see the members that one creates, so it finds them here, as it would
 * in the database once that write committed. A committed batch's members are kept until the batch
 * being planned at that moment is planned: every batch after it reads them from the database.
 */
export class MembersBeingCreated {
  private readonly byUsername = new Map<string, string>();
  private readonly byEmail = new Map<string, string>();
  private committed: Array<[NewMemberKeys, string]> = [];

  add(member: NewMemberKeys, externalId: string): void {
    this.byUsername.set(member.username.toLowerCase(), externalId);
    if (member.email) this.byEmail.set(member.email.toLowerCase(), externalId);
  }

  /** A member that could not be created (its username was taken) is no longer being created. */
  forget(member: NewMemberKeys, externalId: string): void {
    const username = member.username.toLowerCase();
    if (this.byUsername.get(username) === externalId) this.byUsername.delete(username);
    const email = member.email?.toLowerCase();
    if (email !== undefined && this.byEmail.get(email) === externalId) this.byEmail.delete(email);
  }

  /** The batch creating these members has committed. */
  committedBatch(created: ReadonlyArray<[NewMemberKeys, string]>): void {
    this.committed.push(...created);
  }

  /** A batch is planned: members committed before now are read from the database from here on. */
  batchPlanned(): void {
    for (const [member, externalId] of this.committed) this.forget(member, externalId);
    this.committed = [];
  }

  /**
   * A correlation with the members being created that its reads could not see yet. One already
   * read, linked to the same record, is not added twice.
   */
  addTo(
    correlation: Correlation,
    key: { username: string | null; email: string | null },
  ): Correlation {
    if (this.byUsername.size === 0 && this.byEmail.size === 0) return correlation;
    return {
      link: correlation.link,
      byUsername: withCreated(correlation.byUsername, this.byUsername, key.username),
      byEmail: withCreated(correlation.byEmail, this.byEmail, key.email),
    };
  }
}

function withCreated(
  found: Candidate[],
  creating: ReadonlyMap<string, string>,
  value: string | null,
): Candidate[] {
  const externalId = value === null ? undefined : creating.get(value.toLowerCase());
  if (externalId === undefined || found.some((c) => c.linkedTo === externalId)) return found;
  return [...found, { memberId: `created for ${externalId}`, linkedTo: externalId }];
}
