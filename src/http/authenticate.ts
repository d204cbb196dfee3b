import type { NextFunction, Request, Response } from 'express';
import { LOCAL_ADMIN, type Scope } from '../access/actor.ts';
import { memberActor } from '../access/member-access.ts';
import type { AppContext } from '../app-context.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { authenticateApiKey } from '../keys/api-keys.ts';
import { findOrganization } from '../orgs/organizations.ts';
import { SESSION_COOKIE, readCookie } from './auth/cookies.ts';
import { type SignedIn, resolveSession } from './auth/session-middleware.ts';
import { apiCsrfGuard } from './csrf/csrf-guard.ts';
import { ORG_HEADER } from './org-header.ts';

// Three ways in. Over TCP, an API key as a bearer token decides the organization and the access
// (Editor or Viewer); without one, the session cookie of a signed-in member: an administrator
// acts with administrator access, a scope administrator within their groups, and every write
// must pass the CSRF guard. Over the daemon's local socket — a file only the daemon's owner can
// open — the caller is the local administrator, in the organization named by a header or the
// default.

export type Channel = 'tcp' | 'local';

export function scopeOf(res: Response): Scope {
  return res.locals.scope as Scope;
}

/** The signed-in member behind a session-authenticated request, or null (API key, local socket). */
export function signedInOf(res: Response): SignedIn | null {
  return (res.locals.signedIn as SignedIn | undefined) ?? null;
}

/** Paths a signed-in member without administrative access may still reach. */
const OPEN_TO_MEMBERS = new Set(['/me']);
/** What a member limited to some groups reaches; each use case narrows it to their groups. */
const OPEN_TO_SCOPED = [/^\/me$/, /^\/codes(\/|$)/, /^\/members(\/|$)/, /^\/invitations(\/|$)/];
/** And what it reads to fill its forms. */
const READABLE_BY_SCOPED = /^\/(roles|user-types|groups)$/;

export function authenticate(ctx: AppContext, channel: Channel) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (channel === 'local') {
      const ref = req.get(ORG_HEADER);
      const orgId = ref ? (await findOrganization(ctx.database.knex, ref)).id : ctx.defaultOrgId;
      res.locals.scope = { orgId, actor: LOCAL_ADMIN } satisfies Scope;
      next();
      return;
    }
    const header = req.get('authorization');
    if (header === undefined) {
      const token = readCookie(req, SESSION_COOKIE);
      const signedIn = token ? await resolveSession(ctx, token) : null;
      if (signedIn) {
        authenticateMember(ctx, req, res, signedIn);
        next();
        return;
      }
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match)
      throw new UnauthorizedError(
        'sign in (the session cookie of /auth/sign-in) or send an API key as "Authorization: Bearer <secret>"',
      );
    res.locals.scope = await authenticateApiKey(ctx.database.knex, match[1]!, 'api');
    next();
  };
}

function authenticateMember(
  ctx: AppContext,
  req: Request,
  res: Response,
  signedIn: SignedIn,
): void {
  const { session, access } = signedIn;
  res.locals.signedIn = signedIn;
  res.locals.scope = {
    orgId: session.orgId,
    actor: memberActor({ id: session.memberId, username: session.username }, access),
  } satisfies Scope;
  if (OPEN_TO_MEMBERS.has(req.path)) return;
  if (session.mustChangePassword)
    throw new ForbiddenError('change the temporary password first (POST /auth/password)');
  if (access.kind === 'none')
    throw new ForbiddenError(
      `${session.username} is not an administrator of this organization: the admin API is open to members with the Administrator role, scope administrators and holders of the manage_members privilege`,
    );
  const reachable =
    OPEN_TO_SCOPED.some((p) => p.test(req.path)) ||
    (req.method === 'GET' && READABLE_BY_SCOPED.test(req.path));
  if (access.kind === 'scoped' && !reachable)
    throw new ForbiddenError(
      `${session.username} administers some groups only: ${req.method} ${req.baseUrl}${req.path} is reserved to the organization's administrators`,
    );
  apiCsrfGuard(ctx, req);
}
