import { ForbiddenError } from '../errors.ts';

// Who is acting, and in which organization. Every use case takes one; the audit log records it.
//   administrator: the local CLI (owner of the data directory) or a signed-in member with the
//     Administrator role (src/access/member-access.ts)
//   editor / viewer: API keys; viewers only read. A signed-in scope administrator or holder of
//     the manage_members privilege is an editor limited to `groupIds`.
type AccessLevel = 'administrator' | 'editor' | 'viewer';

export interface Actor {
  type: 'local' | 'key' | 'member' | 'system';
  id: string | null;
  label: string;
  access: AccessLevel;
  /** Set for a member limited to some groups: they act on those groups' members only. */
  groupIds?: string[];
}

export interface Scope {
  orgId: string;
  actor: Actor;
}

export const LOCAL_ADMIN: Actor = {
  type: 'local',
  id: null,
  label: 'local administrator (CLI)',
  access: 'administrator',
};
export const SYSTEM: Actor = {
  type: 'system',
  id: null,
  label: 'provisiond',
  access: 'administrator',
};

export function requireWrite(actor: Actor): void {
  if (actor.access === 'viewer')
    throw new ForbiddenError('this API key has the Viewer role and can only read');
}

export function requireAdministrator(actor: Actor, what: string): void {
  if (actor.access !== 'administrator') {
    throw new ForbiddenError(
      `${what} is reserved to administrators (a signed-in member with the Administrator role, or the CLI on the daemon's machine); ${actor.type === 'key' ? 'an API key' : 'your access'} cannot do it`,
    );
  }
}
