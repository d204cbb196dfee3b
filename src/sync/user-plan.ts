import type { SourceUser } from '../plugin-api.ts';
import type { DesiredMember, Mapped } from './member-mapping.ts';
import type { Situation } from './sync-types.ts';

// Correlation and planning for one user, pure: the existing link first, then the configured rules
// (username, email). One situation per record and one decision.

export interface LinkedMember {
  memberId: string;
  hash: string | null;
  disabledBySync: boolean;
  status: 'pending' | 'active' | 'disabled';
}

export interface Candidate {
  memberId: string;
  /** The external id this member is already linked to in this source, if any. */
  linkedTo: string | null;
}

export interface Correlation {
  link: LinkedMember | undefined;
  byUsername: Candidate[];
  byEmail: Candidate[];
}

export type Decision =
  | { situation: 'linked'; kind: 'unchanged' }
  | {
      situation: 'linked';
      kind: 'update';
      memberId: string;
      member: DesiredMember;
      status: 'active' | 'disabled';
      disabledBySync: boolean;
      wasStatus: string;
    }
  | {
      situation: 'unlinked';
      kind: 'link';
      memberId: string;
      member: DesiredMember;
      status: 'active' | 'disabled' | 'keep';
    }
  | { situation: 'unmatched'; kind: 'unmatched'; member: DesiredMember }
  | { situation: 'disputed'; kind: 'disputed'; reason: string }
  | { situation: Situation; kind: 'error'; reason: string };

export function planUser(
  user: SourceUser,
  mapped: Mapped,
  c: Correlation,
  rules: Array<'username' | 'email'>,
): Decision {
  if (!mapped.ok)
    return { situation: c.link ? 'linked' : 'unmatched', kind: 'error', reason: mapped.reason };
  const member = mapped.member;
  if (c.link) {
    const link = c.link;
    // A member disabled by sync comes back when its record is back (and not disabled there).
    const reenable = link.status === 'disabled' && link.disabledBySync && !member.disabled;
    const disable = member.disabled && link.status !== 'disabled';
    if (link.hash === member.hash && !reenable && !disable)
      return { situation: 'linked', kind: 'unchanged' };
    const status = member.disabled
      ? 'disabled'
      : reenable
        ? 'active'
        : link.status === 'disabled'
          ? 'disabled'
          : 'active';
    return {
      situation: 'linked',
      kind: 'update',
      memberId: link.memberId,
      member,
      status,
      disabledBySync: member.disabled || (link.disabledBySync && !reenable),
      wasStatus: link.status,
    };
  }
  const found = new Map<string, Candidate>();
  for (const rule of rules)
    for (const cand of rule === 'username' ? c.byUsername : c.byEmail)
      found.set(cand.memberId, cand);
  if (found.size === 0) return { situation: 'unmatched', kind: 'unmatched', member };
  if (found.size > 1)
    return {
      situation: 'disputed',
      kind: 'disputed',
      reason: `${found.size} members match ${user.login} by ${rules.join(' and ')}`,
    };
  const [candidate] = [...found.values()] as [Candidate];
  if (candidate.linkedTo !== null) {
    return {
      situation: 'disputed',
      kind: 'disputed',
      reason: `the member matching ${user.login} is already linked to another record of this source (${candidate.linkedTo})`,
    };
  }
  return {
    situation: 'unlinked',
    kind: 'link',
    memberId: candidate.memberId,
    member,
    status: member.disabled ? 'disabled' : 'keep',
  };
}
