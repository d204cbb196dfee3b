import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../../app-context.ts';
import { ForbiddenError } from '../../errors.ts';
import { CSRF_COOKIE, readCookie, setCookie } from '../auth/cookies.ts';
import { alert, html, page } from '../auth/pages/html.ts';
import { languageOf } from '../auth/refusals.ts';
import {
  crossSiteReason,
  csrfTokenFor,
  csrfTokenMatches,
  isCsrfSecret,
  newCsrfSecret,
} from './csrf-token.ts';

// One CSRF guard for everything a browser can send with the daemon's cookies:
//   api — /api/v1 requests authenticated by the session cookie: every write must carry the token
//     in the X-CSRF-Token header, and come from the daemon's own origin;
//   forms — the HTML forms (sign-in, sign-up, password change, sign-out, invitation acceptance,
//     codes): a form post must carry the token in its csrfToken field. A JSON post needs no token:
//     another site cannot send one without a CORS preflight, which the daemon never grants. Both
//     must come from the daemon's own origin.

const CSRF_HEADER = 'x-csrf-token';
const CSRF_FIELD = 'csrfToken';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const SECRET_MAX_AGE = 90 * 24 * 3600;

function secure(ctx: AppContext): boolean {
  return ctx.publicUrl.startsWith('https://');
}

/** The token for this browser, setting its cookie first when it has none yet. */
export function csrfToken(ctx: AppContext, req: Request, res: Response): string {
  const current = res.locals.csrfToken as string | undefined;
  if (current) return current;
  const secret = readCookie(req, CSRF_COOKIE);
  if (isCsrfSecret(secret)) return csrfTokenFor(ctx.csrfKey, secret);
  return renewCsrfToken(ctx, res);
}

/** A new cookie and token (at sign-in and sign-out); the old token stops working. */
export function renewCsrfToken(ctx: AppContext, res: Response): string {
  const secret = newCsrfSecret();
  setCookie(res, CSRF_COOKIE, secret, { secure: secure(ctx), maxAgeSeconds: SECRET_MAX_AGE });
  const token = csrfTokenFor(ctx.csrfKey, secret);
  res.locals.csrfToken = token;
  return token;
}

function allowedOrigins(ctx: AppContext, req: Request): string[] {
  return [new URL(ctx.publicUrl).origin, `${req.protocol}://${req.get('host') ?? ''}`].map((o) =>
    o.toLowerCase(),
  );
}

/** Why the request must be refused, or null when it passes. */
function refusal(ctx: AppContext, req: Request, tokenRequired: boolean): string | null {
  const crossSite = crossSiteReason(
    { origin: req.get('origin'), secFetchSite: req.get('sec-fetch-site') },
    allowedOrigins(ctx, req),
  );
  if (crossSite) return crossSite;
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody = typeof body?.[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : '';
  const token = req.get(CSRF_HEADER) ?? fromBody;
  if (!token && !tokenRequired) return null;
  const secret = readCookie(req, CSRF_COOKIE);
  if (!token) return `send the CSRF token in the ${CSRF_HEADER} header (GET /api/v1/me gives it)`;
  if (!isCsrfSecret(secret) || !csrfTokenMatches(ctx.csrfKey, secret, token))
    return 'the CSRF token is not valid for this browser; read it again (GET /api/v1/me) and retry';
  return null;
}

const EXPIRED = {
  en: 'This form has expired or did not come from this site. Go back, reload the page and try again.',
  fr: 'Ce formulaire a expiré ou ne vient pas de ce site. Revenez en arrière, rechargez la page et réessayez.',
  de: 'Dieses Formular ist abgelaufen oder stammt nicht von dieser Website. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.',
} as const;
const TITLE = { en: 'Not allowed', fr: 'Non autorisé', de: 'Nicht erlaubt' } as const;

/** The guard of the admin API for session-authenticated writes. */
export function apiCsrfGuard(ctx: AppContext, req: Request): void {
  if (SAFE.has(req.method)) return;
  const reason = refusal(ctx, req, true);
  if (reason) throw new ForbiddenError(`CSRF check failed: ${reason}`, { reason: 'csrf' });
}

/** The guard of the HTML forms; the token field is removed from the body before the route reads it. */
export function formCsrfGuard(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE.has(req.method)) {
      next();
      return;
    }
    const json = typeof req.is(['application/json', 'application/*+json']) === 'string';
    const reason = refusal(ctx, req, !json);
    if (req.body && typeof req.body === 'object')
      delete (req.body as Record<string, unknown>)[CSRF_FIELD];
    if (!reason) {
      next();
      return;
    }
    ctx.log.warn({ path: req.path, reason }, 'form refused by the CSRF check');
    if (json) throw new ForbiddenError(`CSRF check failed: ${reason}`, { reason: 'csrf' });
    const lang = languageOf(req);
    res
      .status(403)
      .type('html')
      .send(page(lang, TITLE[lang], html`${alert([EXPIRED[lang]])}`));
  };
}
