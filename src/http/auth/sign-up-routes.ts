import { Router } from 'express';
import type { AppContext } from '../../app-context.ts';
import { ConflictError, SignInDeniedError, ValidationError } from '../../errors.ts';
import { registerBuiltinAccount } from '../../sign-in/self-registration.ts';
import { signUpPage } from './pages/sign-in-pages.ts';
import { languageOf, sendRefusal, wantsJson } from './refusals.ts';
import { csrfToken } from '../csrf/csrf-guard.ts';
import { startSession } from './session-cookie.ts';
import { selfRegistrationAllowed } from './source-buttons.ts';

// Self-registration of built-in accounts, only when the built-in source allows it.

const closed = () =>
  new SignInDeniedError(
    'registration-closed',
    'this organization does not let people create accounts themselves',
  );

export function signUpRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/auth/sign-up', (req, res) => {
    if (!selfRegistrationAllowed(ctx)) return sendRefusal(req, res, closed());
    res.type('html').send(signUpPage(languageOf(req), csrfToken(ctx, req, res)));
  });

  router.post('/auth/sign-up', async (req, res) => {
    if (!selfRegistrationAllowed(ctx)) return sendRefusal(req, res, closed());
    const lang = languageOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const member = await registerBuiltinAccount(
        { db: ctx.database.knex, hasher: ctx.hasher },
        ctx.defaultOrgId,
        body,
      );
      const session = await startSession(ctx, res, {
        memberId: member.id,
        source: 'builtin',
        mustChangePassword: false,
      });
      if (wantsJson(req)) {
        res.status(201).json({
          signedIn: true,
          member: { id: member.id, username: member.username },
          expiresAt: session.expiresAt,
          csrfToken: csrfToken(ctx, req, res),
        });
        return;
      }
      res.redirect(303, `/auth/sign-in?lang=${lang}`);
    } catch (error) {
      if (wantsJson(req) || !(error instanceof ValidationError || error instanceof ConflictError))
        throw error;
      const messages =
        error instanceof ValidationError
          ? error.issues.map((i) => `${i.field}: ${i.message}`)
          : [error.message];
      const values = Object.fromEntries(
        Object.entries(body).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'password',
        ),
      );
      res
        .status(error instanceof ConflictError ? 409 : 400)
        .type('html')
        .send(signUpPage(lang, csrfToken(ctx, req, res), values, messages));
    }
  });

  return router;
}
