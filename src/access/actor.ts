import { ForbiddenError } from '../errors.ts';

// Who is acting, and in which organization. Every use case takes one; the audit log records it.
//   administrator: the local CLI (owner of the data directory) or, later, a signed-in admin
//   editor / viewer: API keys; viewers only read.
type AccessLevel = 'administrator' | 'editor' | 'viewer';

export interface Actor {
  type: 'local' | 'key' | 'member' | 'system';
  id: string | null;
  label: string;
  access: AccessLevel;
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
      `${what} is reserved to administrators (the CLI on the daemon's machine); an API key cannot do it`,
    );
  }
}
