import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { completeSetup, SETUP_PATH, setupLinkMember } from '../../sign-in/setup-links.ts';
import { parseInput } from '../../validation.ts';
import { csrfToken } from '../csrf/csrf-guard.ts';
import { deadSetupPage, setupPage } from './pages/setup-pages.ts';
import { languageOf, wantsJson } from './refusals.ts';
import { startSession } from './session-cookie.ts';

// GET /auth/setup?token=… shows the one-time setup form; POST sets the password, spends the link
// and signs the member in. A link that opens nothing answers 404, whatever the reason.

const setupSchema = z
  .object({
    token: z.string().min(1, 'is required').max(200),
    password: z.string().min(1, 'is required').max(1024),
  })
  .strict();

export function setupRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;

  router.get(SETUP_PATH, async (req, res) => {
    const lang = languageOf(req);
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const member = await setupLinkMember(db, token);
    res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer');
    if (!member) return res.status(404).type('html').send(deadSetupPage(lang));
    res.type('html').send(setupPage(lang, csrfToken(ctx, req, res), token, member.username));
  });

  router.post(SETUP_PATH, async (req, res) => {
    const lang = languageOf(req);
    res.set('Cache-Control', 'no-store');
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const { token, password } = parseInput(setupSchema, body);
      const member = await completeSetup({ db, hasher: ctx.hasher }, token, password);
      ctx.log.info({ memberId: member.memberId }, 'account set up through a setup link');
      if (member.orgId === ctx.defaultOrgId) {
        const session = await startSession(ctx, res, {
          memberId: member.memberId,
          source: 'builtin',
          mustChangePassword: false,
        });
        if (wantsJson(req)) {
          res.status(201).json({
            signedIn: true,
            member: { id: member.memberId, username: member.username },
            expiresAt: session.expiresAt,
            csrfToken: csrfToken(ctx, req, res),
          });
          return;
        }
      } else if (wantsJson(req)) {
        res
          .status(201)
          .json({ signedIn: false, member: { id: member.memberId, username: member.username } });
        return;
      }
      res.redirect(303, `/auth/sign-in?lang=${lang}`);
    } catch (error) {
      if (wantsJson(req)) throw error;
      if (error instanceof NotFoundError)
        return res.status(404).type('html').send(deadSetupPage(lang));
      if (!(error instanceof ValidationError)) throw error;
      const token = typeof body.token === 'string' ? body.token : '';
      const member = await setupLinkMember(db, token);
      if (!member) return res.status(404).type('html').send(deadSetupPage(lang));
      res
        .status(400)
        .type('html')
        .send(
          setupPage(
            lang,
            csrfToken(ctx, req, res),
            token,
            member.username,
            error.issues.map((i) => i.message),
          ),
        );
    }
  });
  return router;
}
