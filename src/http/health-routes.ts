import { Router } from 'express';
import type { AppContext } from '../app-context.ts';
import { disagreeing, liveInstances } from '../cluster/instances.ts';
import { pendingMigrations } from '../store/migrations.ts';

export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready: the database answers and every migration is applied.
  router.get('/readyz', async (_req, res) => {
    try {
      await ctx.database.knex.raw('select 1');
      const pending = await pendingMigrations(ctx.database.knex);
      if (pending.length > 0) {
        res
          .status(503)
          .json({ status: 'not ready', database: 'reachable', pendingMigrations: pending });
        return;
      }
      // Daemons sharing the database must seal invitation links with one key: a daemon started
      // with another is refused, and this reports one that slipped through (started at once).
      if (ctx.instanceId) {
        const peers = await liveInstances(ctx.database.knex);
        const ours = peers.find((p) => p.id === ctx.instanceId)?.link_key_id ?? null;
        const others = ours === null ? [] : disagreeing(peers, ours, ctx.instanceId);
        if (others.length > 0) {
          res.status(503).json({
            status: 'not ready',
            database: ctx.database.kind,
            linkKey: 'differs',
            detail:
              'another daemon on this database seals invitation links with a different key: give every daemon the same invitations.linkKey',
            daemons: others.map((p) => ({ host: p.host, pid: p.pid })),
          });
          return;
        }
      }
      res.json({ status: 'ready', database: ctx.database.kind, linkKey: 'agreed' });
    } catch (error) {
      ctx.log.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'not ready', database: 'unreachable' });
    }
  });
  return router;
}
