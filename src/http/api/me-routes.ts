import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { findOrganization } from '../../orgs/organizations.ts';
import { scopeOf, signedInOf } from '../authenticate.ts';
import { csrfToken } from '../csrf/csrf-guard.ts';

// Who is calling: what the console reads first to decide what to show, and where it gets the
// CSRF token it sends with every write.

export const meSchema = z.object({
  actor: z.object({
    type: z.enum(['local', 'key', 'member', 'system']),
    id: z.string().nullable(),
    label: z.string(),
  }),
  organization: z.object({ id: z.string(), name: z.string() }),
  access: z
    .enum(['administrator', 'scope-administrator', 'member-manager', 'editor', 'viewer', 'none'])
    .describe(
      'administrator: the whole admin API; scope-administrator / member-manager: members, invitations (and codes) of `groups` only; none: a member without administrative access',
    ),
  groups: z
    .array(z.object({ id: z.string(), name: z.string() }))
    .nullable()
    .describe('the groups a limited member acts on; null when not limited'),
  session: z
    .object({
      source: z.string(),
      expiresAt: z.string(),
      idleMinutes: z.number().nullable(),
      mustChangePassword: z.boolean(),
    })
    .nullable(),
  csrfToken: z
    .string()
    .nullable()
    .describe('send it as X-CSRF-Token with every write of a signed-in session'),
});
type Me = z.infer<typeof meSchema>;

export function meRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;
  router.get('/me', async (req, res) => {
    const scope = scopeOf(res);
    const signedIn = signedInOf(res);
    const org = await findOrganization(db, scope.orgId);
    const groupIds = scope.actor.groupIds;
    const groups = groupIds
      ? ((await db('groups')
          .where('org_id', scope.orgId)
          .whereIn('id', groupIds)
          .orderBy('name')
          .select('id', 'name')) as Array<{ id: string; name: string }>)
      : null;
    const access = signedIn
      ? signedIn.access.kind === 'organization'
        ? 'administrator'
        : signedIn.access.kind === 'scoped'
          ? signedIn.access.via === 'privilege'
            ? 'member-manager'
            : 'scope-administrator'
          : 'none'
      : scope.actor.access;
    const me: Me = {
      actor: { type: scope.actor.type, id: scope.actor.id, label: scope.actor.label },
      organization: { id: org.id, name: org.name },
      access,
      groups,
      session: signedIn
        ? {
            source: signedIn.session.source,
            expiresAt: signedIn.session.expiresAt,
            idleMinutes:
              signedIn.access.kind === 'none' ? null : ctx.config.signIn.adminIdleMinutes,
            mustChangePassword: signedIn.session.mustChangePassword,
          }
        : null,
      csrfToken: signedIn ? csrfToken(ctx, req, res) : null,
    };
    res.set('Cache-Control', 'no-store').json(me);
  });
  return router;
}
