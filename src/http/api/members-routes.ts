import { type Response, Router } from 'express';
import { assertGroupsInReach, inReach, withinReach } from '../../access/reach.ts';
import { NotFoundError } from '../../errors.ts';
import { resolveGroupIds } from '../../groups/group-refs.ts';
import type { AppContext } from '../../app-context.ts';
import { getMember } from '../../members/member-record.ts';
import { listMembers, parseMemberListQuery } from '../../members/member-listing.ts';
import { createMember, deleteMember, setMemberStatus } from '../../members/member-service.ts';
import { updateMember } from '../../members/member-update.ts';
import { scopeOf } from '../authenticate.ts';

export function membersRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;
  const deps = { db, hasher: ctx.hasher };
  const max = ctx.config.api.maxPageSize;

  // A member limited to some groups reaches only those groups' members; others answer 404.
  const reachable = async (res: Response, ref: string) => {
    const scope = scopeOf(res);
    if (!scope.actor.groupIds) return;
    const member = await getMember(db, scope.orgId, ref);
    if (!(await inReach(db, scope.actor, member.id))) throw new NotFoundError('member', ref);
  };

  router.get('/members', async (req, res) => {
    const scope = scopeOf(res);
    res.json(
      await listMembers(
        db,
        scope.orgId,
        parseMemberListQuery(req.query, max),
        withinReach(scope.actor),
      ),
    );
  });
  router.post('/members', async (req, res) => {
    const scope = scopeOf(res);
    if (scope.actor.groupIds) {
      const groups = (req.body as { groups?: unknown } | undefined)?.groups;
      const refs = Array.isArray(groups)
        ? groups.filter((g): g is string => typeof g === 'string')
        : [];
      assertGroupsInReach(scope.actor, await resolveGroupIds(db, scope.orgId, refs), 'groups');
    }
    const member = await createMember(deps, scope, req.body);
    res.status(201).location(`${req.baseUrl}/members/${member.id}`).json(member);
  });
  router.use('/members/:ref', async (req, res, next) => {
    await reachable(res, String(req.params.ref));
    next();
  });
  router.get('/members/:ref', async (req, res) => {
    res.json(await getMember(db, scopeOf(res).orgId, req.params.ref));
  });
  router.patch('/members/:ref', async (req, res) => {
    const scope = scopeOf(res);
    const groups = (req.body as { groups?: unknown } | undefined)?.groups;
    if (scope.actor.groupIds && Array.isArray(groups)) {
      const refs = groups.filter((g): g is string => typeof g === 'string');
      assertGroupsInReach(scope.actor, await resolveGroupIds(db, scope.orgId, refs), 'groups');
    }
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
