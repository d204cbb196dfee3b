import type { Response } from 'express';
import type { AppContext } from '../../app-context.ts';
import { openSession, type Session } from '../../sign-in/sessions.ts';
import { renewCsrfToken } from '../csrf/csrf-guard.ts';
import { SESSION_COOKIE, setCookie } from './cookies.ts';

/**
 * Opens a session for a member who just signed in and hands the browser its cookie, with a new
 * CSRF token (res.locals.csrfToken) so that no token from before the sign-in stays valid.
 */
export async function startSession(
  ctx: AppContext,
  res: Response,
  input: { memberId: string; source: string; mustChangePassword: boolean },
): Promise<Session> {
  const hours = ctx.config.signIn.sessionHours;
  const { token, session } = await openSession(ctx.database.knex, {
    orgId: ctx.defaultOrgId,
    hours,
    ...input,
  });
  setCookie(res, SESSION_COOKIE, token, { secure: isSecure(ctx), maxAgeSeconds: hours * 3600 });
  renewCsrfToken(ctx, res);
  ctx.log.info(
    { memberId: session.memberId, source: session.source, sessionId: session.id },
    'signed in',
  );
  return session;
}

export function isSecure(ctx: AppContext): boolean {
  return ctx.publicUrl.startsWith('https://');
}
