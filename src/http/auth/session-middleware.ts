import type { NextFunction, Request, Response } from 'express';
import { type MemberAccess, memberAccess } from '../../access/member-access.ts';
import type { AppContext } from '../../app-context.ts';
import { ForbiddenError, UnauthorizedError } from '../../errors.ts';
import { idleExpired, needsTouch } from '../../sign-in/session-idle.ts';
import { findSession, revokeSession, type Session, touchSession } from '../../sign-in/sessions.ts';
import { SESSION_COOKIE, readCookie } from './cookies.ts';

// Reads the session cookie on every /auth request (and on /api/v1 requests without an API key).
// Routes that act for a signed-in member use requireSession: a session whose temporary password
// has not been changed yet may only change it. A session that gives administrative access ends
// after a shorter idle time (`signIn.adminIdleMinutes`).

export interface SignedIn {
  session: Session;
  access: MemberAccess;
}

export function sessionOf(res: Response): Session | null {
  return (res.locals.session as Session | null | undefined) ?? null;
}

/** The live session a token opens, with the member's access; null when none (or idle too long). */
export async function resolveSession(ctx: AppContext, token: string): Promise<SignedIn | null> {
  const db = ctx.database.knex;
  const session = await findSession(db, token);
  if (!session) return null;
  const access = await memberAccess(db, session.orgId, session.memberId);
  const now = new Date();
  const lastSeen = new Date(session.lastSeenAt);
  const idle = ctx.config.signIn.adminIdleMinutes;
  if (access.kind !== 'none' && idleExpired(lastSeen, now, idle)) {
    await revokeSession(db, session.id);
    ctx.log.info(
      { memberId: session.memberId, sessionId: session.id },
      'administrator session ended after idle time',
    );
    return null;
  }
  if (needsTouch(lastSeen, now, idle)) await touchSession(db, session.id);
  return { session, access };
}

export function loadSession(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = readCookie(req, SESSION_COOKIE);
    const signedIn = token ? await resolveSession(ctx, token) : null;
    res.locals.session = signedIn?.session ?? null;
    res.locals.access = signedIn?.access ?? { kind: 'none' };
    next();
  };
}

export function requireSession(_req: Request, res: Response, next: NextFunction): void {
  const session = sessionOf(res);
  if (!session) throw new UnauthorizedError('sign in first');
  if (session.mustChangePassword)
    throw new ForbiddenError('change the temporary password first (POST /auth/password)');
  next();
}
