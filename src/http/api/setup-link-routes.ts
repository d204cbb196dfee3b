import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { issueSetupLink, SETUP_PATH } from '../../sign-in/setup-links.ts';
import { parseInput } from '../../validation.ts';
import { scopeOf } from '../authenticate.ts';

// A one-time link for a built-in member to choose their password (the first administrator, made
// by `provisiond admin create`, or anyone an administrator sets up).

export const setupLinkBody = z
  .object({
    expiresInHours: z
      .number()
      .min(0.1, 'must be at least 0.1 hours')
      .max(336, 'must be at most 336 hours (14 days)')
      .default(24),
  })
  .strict();

export const setupLinkSchema = z.object({
  memberId: z.string(),
  username: z.string(),
  link: z.string().describe('shown once; only its hash is kept'),
  expiresAt: z.string(),
});

export function setupLinkRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/members/:ref/setup-link', async (req, res) => {
    const { expiresInHours } = parseInput(setupLinkBody, req.body ?? {});
    const issued = await issueSetupLink(
      ctx.database.knex,
      scopeOf(res),
      String(req.params.ref),
      expiresInHours,
    );
    const link = `${ctx.publicUrl}${SETUP_PATH}?${new URLSearchParams({ token: issued.token })}`;
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .json(
        setupLinkSchema.parse({
          memberId: issued.memberId,
          username: issued.username,
          link,
          expiresAt: issued.expiresAt,
        }),
      );
  });
  return router;
}
