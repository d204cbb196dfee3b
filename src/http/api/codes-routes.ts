import { Router } from 'express';
import { z } from 'zod';
import { requireAdministrator } from '../../access/actor.ts';
import type { AppContext } from '../../app-context.ts';
import { redeemCode } from '../../invitations/code-redemption.ts';
import {
  copyCodes,
  createCodes,
  disableCode,
  getCode,
  listCodes,
} from '../../invitations/code-store.ts';
import { getMember } from '../../members/member-record.ts';
import { parseInput } from '../../validation.ts';
import { scopeOf } from '../authenticate.ts';

// Invitation codes over the admin API. The codes are in the creation answer only,
// which is therefore never cached. Redemption here is the CLI administrator acting for a member
// (`codes redeem --member`); members themselves redeem at POST /auth/codes/redeem.

export function codesRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;

  router.post('/codes', async (req, res) => {
    const created = await createCodes(db, scopeOf(res), req.body);
    res.status(201).set('Cache-Control', 'no-store').json(created);
  });
  router.get('/codes', async (req, res) => {
    res.json(await listCodes(db, scopeOf(res), { ...req.query }));
  });
  router.post('/codes/copy', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await copyCodes(db, scopeOf(res), req.body));
  });
  router.post('/codes/redeem', async (req, res) => {
    const scope = scopeOf(res);
    requireAdministrator(scope.actor, 'using a code for another member');
    const { code, member } = parseInput(
      z
        .object({
          code: z.unknown(),
          member: z.string().min(1, 'name the member who uses the code'),
        })
        .strict(),
      req.body,
    );
    const target = await getMember(db, scope.orgId, member);
    res.json(
      await redeemCode(db, scope.orgId, {
        memberId: target.id,
        address: req.ip ?? 'local',
        code,
        actor: scope.actor,
      }),
    );
  });
  // By id only: a code in a URL would reach access logs and proxies.
  router.get('/codes/:id', async (req, res) => {
    res.json(await getCode(db, scopeOf(res), req.params.id));
  });
  router.post('/codes/:id/disable', async (req, res) => {
    res.json(await disableCode(db, scopeOf(res), req.params.id));
  });
  return router;
}
