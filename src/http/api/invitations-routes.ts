import { Router } from 'express';
import type { AppContext } from '../../app-context.ts';
import { createInvitations, type InvitationDeps } from '../../invitations/invitation-create.ts';
import {
  deleteInvitation,
  getInvitation,
  listInvitations,
  resendInvitation,
} from '../../invitations/invitation-manage.ts';
import { scopeOf } from '../authenticate.ts';

// Email invitations over the admin API. Answers carry links (the table's copyable
// link), which open the invitations: they are never cached.

export function invitationsRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps: InvitationDeps = {
    db: ctx.database.knex,
    hasher: ctx.hasher,
    publicUrl: ctx.publicUrl,
    links: ctx.links,
    sources: (orgId) => ctx.sources.of(orgId),
  };

  router.post('/invitations', async (req, res) => {
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .json(await createInvitations(deps, scopeOf(res), req.body));
  });
  router.get('/invitations', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(
      await listInvitations({ ...deps, maxPageSize: ctx.config.api.maxPageSize }, scopeOf(res), {
        ...req.query,
      }),
    );
  });
  router.get('/invitations/:id', async (req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json(await getInvitation(deps, scopeOf(res), req.params.id));
  });
  router.post('/invitations/:id/resend', async (req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json(await resendInvitation(deps, scopeOf(res), req.params.id));
  });
  router.delete('/invitations/:id', async (req, res) => {
    res.json(await deleteInvitation(deps.db, scopeOf(res), req.params.id));
  });
  return router;
}
