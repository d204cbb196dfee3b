import { Router } from 'express';
import type { AppContext } from '../../app-context.ts';
import {
  createLicense,
  deleteLicense,
  getLicense,
  listLicenses,
  updateLicense,
} from '../../licenses/license-service.ts';
import { scopeOf } from '../authenticate.ts';

/** The add-on licence catalog and its overview (in use / available). */
export function licensesRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;
  router.get('/licenses', async (_req, res) => {
    res.json(await listLicenses(db, scopeOf(res).orgId));
  });
  router.post('/licenses', async (req, res) => {
    const license = await createLicense(db, scopeOf(res), req.body);
    res.status(201).location(`${req.baseUrl}/licenses/${license.id}`).json(license);
  });
  router.get('/licenses/:ref', async (req, res) => {
    res.json(await getLicense(db, scopeOf(res).orgId, req.params.ref));
  });
  router.patch('/licenses/:ref', async (req, res) => {
    res.json(await updateLicense(db, scopeOf(res), req.params.ref, req.body));
  });
  router.delete('/licenses/:ref', async (req, res) => {
    res.json(await deleteLicense(db, scopeOf(res), req.params.ref));
  });
  return router;
}
