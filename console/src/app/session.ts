import { ApiError, api, setCsrfToken } from '../api/client.ts';
import type { Me } from '../api/types.ts';

// Who is using the console: read once at start. Signed out, the client has already sent the
// browser to the sign-in page; a member without administrator access is told so.

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'not-allowed'; detail: string; me?: Me }
  | { kind: 'failed'; detail: string }
  | { kind: 'ready'; me: Me };

export async function loadSession(): Promise<SessionState> {
  try {
    const me = await api.get<Me>('/me');
    setCsrfToken(me.csrfToken);
    if (me.access === 'none') return { kind: 'not-allowed', detail: me.actor.label, me };
    return { kind: 'ready', me };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { kind: 'signed-out' };
    // A temporary password not yet changed, for one: the API says why.
    if (error instanceof ApiError && error.status === 403)
      return { kind: 'not-allowed', detail: error.detail };
    return { kind: 'failed', detail: error instanceof Error ? error.message : String(error) };
  }
}
