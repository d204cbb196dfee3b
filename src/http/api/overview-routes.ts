import { Router } from 'express';
import type { AppContext } from '../../app-context.ts';
import { organizationOverview } from '../../overview/overview.ts';
import { scopeOf } from '../authenticate.ts';
import { overviewSchema } from './organization-schemas.ts';

export function overviewRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/overview', async (_req, res) => {
    const overview = await organizationOverview(
      ctx.database.knex,
      scopeOf(res).orgId,
      ctx.config.sources.map((s) => ({ name: s.name, type: s.type })),
    );
    res.json(overviewSchema.parse(overview));
  });
  return router;
}
