import { Router, type Response } from 'express';
import type { Actor, Scope } from '../../access/actor.ts';
import type { AppContext } from '../../app-context.ts';
import { redeemCode } from '../../invitations/code-redemption.ts';
import { createCodes, disableCode, listCodes } from '../../invitations/code-store.ts';
import { requireSession, sessionOf } from './session-middleware.ts';
import { clientAddress } from './throttle.ts';

// Invitation codes for signed-in members: every member may redeem a code; a
// member who administers a scope (through an administrator code) creates, lists and disables
// the codes of that scope only.

function memberScope(res: Response): Scope {
  const session = sessionOf(res)!;
  const actor: Actor = {
    type: 'member',
    id: session.memberId,
    label: session.username,
    access: 'editor',
  };
  return { orgId: session.orgId, actor };
}

export function codeRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;
  router.post('/auth/codes/redeem', requireSession, async (req, res) => {
    const scope = memberScope(res);
    const body = (req.body ?? {}) as { code?: unknown };
    res.json(
      await redeemCode(db, scope.orgId, {
        memberId: scope.actor.id!,
        address: clientAddress(req),
        code: body.code,
        actor: scope.actor,
      }),
    );
  });
  router.get('/auth/codes', requireSession, async (req, res) => {
    res.json(await listCodes(db, memberScope(res), { ...req.query }));
  });
  router.post('/auth/codes', requireSession, async (req, res) => {
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .json(await createCodes(db, memberScope(res), req.body));
  });
  router.post('/auth/codes/:id/disable', requireSession, async (req, res) => {
    res.json(await disableCode(db, memberScope(res), String(req.params.id)));
  });
  return router;
}
