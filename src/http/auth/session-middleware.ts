import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../../app-context.ts';
import { ForbiddenError, UnauthorizedError } from '../../errors.ts';
import { findSession, type Session } from '../../sign-in/sessions.ts';
import { SESSION_COOKIE, readCookie } from './cookies.ts';

// Reads the session cookie on every /auth request. Routes that act for a signed-in member (the
// email invitations, for one) use requireSession: a session whose temporary password has
// not been changed yet may only change it.

export function sessionOf(res: Response): Session | null {
  return (res.locals.session as Session | null | undefined) ?? null;
}

export function loadSession(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = readCookie(req, SESSION_COOKIE);
    res.locals.session = token ? await findSession(ctx.database.knex, token) : null;
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
