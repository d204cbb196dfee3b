import { Router } from 'express';
import { formBody, inputLimits, jsonBody } from '../input/request-guard.ts';
import type { AppContext } from '../../app-context.ts';
import { getMember } from '../../members/member-record.ts';
import { signInPage, signedInPage } from './pages/sign-in-pages.ts';
import { codeRoutes } from './code-routes.ts';
import { passwordRoutes } from './password-routes.ts';
import { redirectRoutes } from './redirect-routes.ts';
import { hasAdministrator } from '../../sign-in/administrators.ts';
import { languageOf } from './refusals.ts';
import { returnToOf } from './return-to.ts';
import { loadSession, requireSession, sessionOf } from './session-middleware.ts';
import { signUpRoutes } from './sign-up-routes.ts';
import { setupRoutes } from './setup-routes.ts';
import { csrfToken, formCsrfGuard } from '../csrf/csrf-guard.ts';
import { enterpriseButtons, selfRegistrationAllowed } from './source-buttons.ts';

// Everything under /auth: the sign-in page, password sign-in, sessions, sign-up and the
// redirect sign-ins of SAML and OIDC sources. Pages take forms; API clients send JSON.

export function authRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use(
    '/auth',
    formBody(inputLimits(ctx), { limit: '256kb' }),
    jsonBody(inputLimits(ctx), { limit: '64kb' }),
    loadSession(ctx),
  );
  // Every form post of these routes carries the CSRF token; the SAML response the identity
  // provider posts back (another site, by design) is bound to its flow cookie instead.
  for (const path of [
    '/auth/builtin/login',
    '/auth/sign-out',
    '/auth/password',
    '/auth/sign-up',
    '/auth/codes',
    '/auth/setup',
  ])
    router.use(path, formCsrfGuard(ctx));

  router.get('/auth/sign-in', async (req, res) => {
    const lang = languageOf(req);
    const session = sessionOf(res);
    if (session?.mustChangePassword) return res.redirect(303, `/auth/password?lang=${lang}`);
    const returnTo = returnToOf(req);
    if (session && returnTo) return res.redirect(303, returnTo);
    const invitation = typeof req.query.invitation === 'string' ? req.query.invitation : undefined;
    const noAdministrator =
      !session && !(await hasAdministrator(ctx.database.knex, ctx.defaultOrgId));
    res.type('html').send(
      session
        ? signedInPage(lang, csrfToken(ctx, req, res), session.username)
        : signInPage(lang, {
            csrf: csrfToken(ctx, req, res),
            buttons: enterpriseButtons(ctx),
            selfRegistration: selfRegistrationAllowed(ctx),
            invitation,
            returnTo,
            noAdministrator,
          }),
    );
  });

  // The signed-in member's own record: what a full session (password changed if it was temporary) opens.
  router.get('/auth/account', requireSession, async (_req, res) => {
    const session = sessionOf(res)!;
    res.json(await getMember(ctx.database.knex, session.orgId, session.memberId));
  });

  // The code routes come before the redirect sign-ins, whose /auth/:type/:name/:callback would
  // otherwise take POST /auth/codes/{id}/disable for a callback of a source named by the id.
  router.use(
    passwordRoutes(ctx),
    signUpRoutes(ctx),
    codeRoutes(ctx),
    setupRoutes(ctx),
    redirectRoutes(ctx),
  );
  return router;
}
