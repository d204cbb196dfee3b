import { Router } from 'express';
import type { AppContext } from '../app-context.ts';
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
      res.json({ status: 'ready', database: ctx.database.kind });
    } catch (error) {
      ctx.log.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'not ready', database: 'unreachable' });
    }
  });
  return router;
}
