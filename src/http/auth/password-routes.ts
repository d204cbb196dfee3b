import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { SignInDeniedError, ValidationError } from '../../errors.ts';
import { changeOwnPassword } from '../../sign-in/password-change.ts';
import { signInWithPassword } from '../../sign-in/password-sign-in.ts';
import { clientAddress, signInThrottle } from './throttle.ts';
import { revokeSession } from '../../sign-in/sessions.ts';
import { parseInput } from '../../validation.ts';
import { SESSION_COOKIE, clearCookie } from './cookies.ts';
import { passwordPage, signInPage } from './pages/sign-in-pages.ts';
import { REFUSALS } from './pages/messages.ts';
import { languageOf, sendRefusal, setRetryAfter, statusOf, wantsJson } from './refusals.ts';
import { returnToOf } from './return-to.ts';
import { isSecure, startSession } from './session-cookie.ts';
import { sessionOf } from './session-middleware.ts';
import { hasAdministrator } from '../../access/member-access.ts';
import { csrfToken, renewCsrfToken } from '../csrf/csrf-guard.ts';
import { enterpriseButtons, selfRegistrationAllowed } from './source-buttons.ts';

// Sign-in by password (built-in accounts, and any source whose plugin checks passwords), the
// session read-out, sign-out, and the password change a temporary password requires first.

const loginSchema = z
  .object({
    username: z.string().min(1, 'is required').max(256),
    password: z.string().min(1, 'is required').max(1024),
  })
  .strict();
const passwordSchema = z
  .object({
    currentPassword: z.string().min(1, 'is required'),
    newPassword: z.string().min(1, 'is required'),
  })
  .strict();

export function passwordRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;

  router.post('/auth/builtin/login', async (req, res) => {
    const lang = languageOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const { username, password } = parseInput(loginSchema, body);
      const result = await signInWithPassword(
        {
          db,
          orgId: ctx.defaultOrgId,
          sources: ctx.sources.passwordSources(),
          throttle: signInThrottle(ctx),
        },
        username,
        password,
        clientAddress(req),
      );
      const session = await startSession(ctx, res, result);
      if (wantsJson(req)) {
        res.json({
          signedIn: true,
          member: { id: session.memberId, username: session.username },
          source: session.source,
          mustChangePassword: session.mustChangePassword,
          expiresAt: session.expiresAt,
          csrfToken: csrfToken(ctx, req, res),
        });
        return;
      }
      const returnTo = returnToOf(req);
      if (returnTo && !session.mustChangePassword) return res.redirect(303, returnTo);
      res.redirect(
        303,
        `${session.mustChangePassword ? '/auth/password' : '/auth/sign-in'}?lang=${lang}`,
      );
    } catch (error) {
      if (!(error instanceof SignInDeniedError)) throw error;
      ctx.log.warn({ refusal: error.refusal }, 'password sign-in refused');
      if (wantsJson(req)) return sendRefusal(req, res, error, lang);
      setRetryAfter(res, error);
      res
        .status(statusOf(error.refusal))
        .type('html')
        .send(
          signInPage(lang, {
            csrf: csrfToken(ctx, req, res),
            buttons: enterpriseButtons(ctx),
            selfRegistration: selfRegistrationAllowed(ctx),
            errors: [REFUSALS[error.refusal][lang]],
            username: typeof body.username === 'string' ? body.username : '',
            returnTo: returnToOf(req),
          }),
        );
    }
  });

  router.get('/auth/session', async (req, res) => {
    const session = sessionOf(res);
    if (!session) {
      // Lets a sign-in page say how to create the first administrator when there is none.
      res.json({
        signedIn: false,
        administratorExists: await hasAdministrator(db, ctx.defaultOrgId),
      });
      return;
    }
    res.json({
      signedIn: true,
      member: { id: session.memberId, username: session.username },
      source: session.source,
      mustChangePassword: session.mustChangePassword,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      csrfToken: csrfToken(ctx, req, res),
    });
  });

  router.post('/auth/sign-out', async (req, res) => {
    const session = sessionOf(res);
    if (session) {
      await revokeSession(db, session.id);
      ctx.log.info({ memberId: session.memberId, sessionId: session.id }, 'signed out');
    }
    clearCookie(res, SESSION_COOKIE, { secure: isSecure(ctx) });
    renewCsrfToken(ctx, res);
    if (wantsJson(req)) res.status(204).end();
    else res.redirect(303, `/auth/sign-in?lang=${languageOf(req)}`);
  });

  router.get('/auth/password', (req, res) => {
    const session = sessionOf(res);
    const lang = languageOf(req);
    if (!session) return res.redirect(303, `/auth/sign-in?lang=${lang}`);
    res.type('html').send(passwordPage(lang, csrfToken(ctx, req, res), session.mustChangePassword));
  });

  router.post('/auth/password', async (req, res) => {
    const session = sessionOf(res);
    const lang = languageOf(req);
    if (!session)
      return sendRefusal(
        req,
        res,
        new SignInDeniedError('wrong-credentials', 'sign in first'),
        lang,
      );
    try {
      const { currentPassword, newPassword } = parseInput(passwordSchema, req.body ?? {});
      await changeOwnPassword({ db, hasher: ctx.hasher }, session, currentPassword, newPassword);
    } catch (error) {
      if (wantsJson(req) || !(error instanceof ValidationError)) throw error;
      return res
        .status(400)
        .type('html')
        .send(
          passwordPage(
            lang,
            csrfToken(ctx, req, res),
            session.mustChangePassword,
            error.issues.map((i) => i.message),
          ),
        );
    }
    if (wantsJson(req)) res.status(204).end();
    else res.redirect(303, `/auth/sign-in?lang=${lang}`);
  });

  return router;
}
