import { Router } from 'express';
import type { AppContext } from '../../app-context.ts';
import { getMember } from '../../members/member-record.ts';
import { listMembers, parseMemberListQuery } from '../../members/member-listing.ts';
import {
  createMember,
  deleteMember,
  setMemberStatus,
  updateMember,
} from '../../members/member-service.ts';
import { scopeOf } from '../authenticate.ts';

export function membersRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;
  const deps = { db, hasher: ctx.hasher };
  const max = ctx.config.api.maxPageSize;

  router.get('/members', async (req, res) => {
    res.json(await listMembers(db, scopeOf(res).orgId, parseMemberListQuery(req.query, max)));
  });
  router.post('/members', async (req, res) => {
    const member = await createMember(deps, scopeOf(res), req.body);
    res.status(201).location(`${req.baseUrl}/members/${member.id}`).json(member);
  });
  router.get('/members/:ref', async (req, res) => {
    res.json(await getMember(db, scopeOf(res).orgId, req.params.ref));
  });
  router.patch('/members/:ref', async (req, res) => {
    res.json(await updateMember(deps, scopeOf(res), req.params.ref, req.body));
  });
  router.delete('/members/:ref', async (req, res) => {
    const input = req.body && Object.keys(req.body).length > 0 ? req.body : { ...req.query };
    res.json(await deleteMember(deps, scopeOf(res), req.params.ref, input));
  });
  router.post('/members/:ref/disable', async (req, res) => {
    res.json(await setMemberStatus(deps, scopeOf(res), req.params.ref, 'disabled'));
  });
  router.post('/members/:ref/enable', async (req, res) => {
    res.json(await setMemberStatus(deps, scopeOf(res), req.params.ref, 'active'));
  });
  return router;
}
