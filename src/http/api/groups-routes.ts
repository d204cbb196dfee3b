import { Router } from 'express';
import type { AppContext } from '../../app-context.ts';
import {
  addGroupMember,
  createGroup,
  deleteGroup,
  getGroup,
  groupListSchema,
  listGroups,
  removeGroupMember,
  updateGroup,
} from '../../groups/groups.ts';
import { listMembers, parseMemberListQuery } from '../../members/member-listing.ts';
import { parseInput } from '../../validation.ts';
import { scopeOf } from '../authenticate.ts';

export function groupsRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;
  const max = ctx.config.api.maxPageSize;

  router.get('/groups', async (req, res) => {
    res.json(await listGroups(db, scopeOf(res).orgId, parseInput(groupListSchema(max), req.query)));
  });
  router.post('/groups', async (req, res) => {
    const group = await createGroup(db, scopeOf(res), req.body);
    res.status(201).location(`${req.baseUrl}/groups/${group.id}`).json(group);
  });
  router.get('/groups/:ref', async (req, res) => {
    res.json(await getGroup(db, scopeOf(res).orgId, req.params.ref));
  });
  router.patch('/groups/:ref', async (req, res) => {
    res.json(await updateGroup(db, scopeOf(res), req.params.ref, req.body));
  });
  router.delete('/groups/:ref', async (req, res) => {
    res.json(await deleteGroup(db, scopeOf(res), req.params.ref));
  });
  router.get('/groups/:ref/members', async (req, res) => {
    const group = await getGroup(db, scopeOf(res).orgId, req.params.ref);
    res.json(
      await listMembers(
        db,
        scopeOf(res).orgId,
        parseMemberListQuery({ ...req.query, group: group.id }, max),
      ),
    );
  });
  router.put('/groups/:ref/members/:member', async (req, res) => {
    const { added } = await addGroupMember(db, scopeOf(res), req.params.ref, req.params.member);
    res.status(added ? 201 : 200).json({ added });
  });
  router.delete('/groups/:ref/members/:member', async (req, res) => {
    res.json(await removeGroupMember(db, scopeOf(res), req.params.ref, req.params.member));
  });
  return router;
}
