import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import {
  IMPORT_MODES,
  MODE_IDS,
  TEMPLATE_LANGUAGES,
  templateOf,
} from '../../import/import-modes.ts';
import { importModes } from './import-schemas.ts';
import { uploadImport } from '../../import/import-service.ts';
import { getImport, startApply } from '../../import/import-apply-run.ts';
import { discardImport } from '../../import/import-discard.ts';
import { parseInput } from '../../validation.ts';
import { scopeOf } from '../authenticate.ts';

// Bulk import: the file is the raw request body (any content type: CSV, text), streamed
// into the store; options are query parameters. Mounted before the admin API's JSON-only check.

const templateQuerySchema = z
  .object({
    language: z
      .enum(TEMPLATE_LANGUAGES, { message: `must be one of ${TEMPLATE_LANGUAGES.join(', ')}` })
      .default('en'),
  })
  .strict();

export function importsRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps = {
    db: ctx.database.knex,
    hasher: ctx.hasher,
    links: ctx.links,
    writers: ctx.database.writers,
    instanceId: ctx.instanceId,
    sources: (orgId: string) => ctx.sources.of(orgId),
    get publicUrl() {
      return ctx.publicUrl;
    },
  };

  router.get('/imports/modes', (_req, res) => {
    res.json(importModes());
  });
  router.get('/imports/templates/:mode', (req, res) => {
    const { mode } = parseInput(z.object({ mode: z.enum(MODE_IDS) }).strict(), req.params);
    const { language } = parseInput(templateQuerySchema, req.query);
    res
      .type('text/csv; charset=utf-8')
      .attachment(language === 'en' ? `${mode}.csv` : `${mode}.${language}.csv`)
      .send(templateOf(IMPORT_MODES[mode], language));
  });
  router.post('/imports', async (req, res) => {
    const run = await uploadImport(deps, scopeOf(res), { ...req.query }, req);
    res.status(201).location(`${req.baseUrl}/imports/${run.id}`).json(run);
  });
  router.get('/imports/:id', async (req, res) => {
    res.json(await getImport(deps.db, scopeOf(res).orgId, req.params.id));
  });
  router.delete('/imports/:id', async (req, res) => {
    await discardImport(deps.db, scopeOf(res), req.params.id);
    res.status(204).end();
  });
  router.post('/imports/:id/apply', async (req, res) => {
    const { wait } = parseInput(
      z.object({ wait: z.enum(['true', 'false']).optional() }).strict(),
      req.query,
    );
    const body: unknown = req.body && Object.keys(req.body as object).length > 0 ? req.body : {};
    const { run, done } = await startApply(deps, scopeOf(res), req.params.id, body);
    if (wait === 'true') {
      res.json(await done);
      return;
    }
    done.catch((error: unknown) =>
      ctx.log.warn({ err: error, importId: run.id }, 'import apply failed'),
    );
    res.status(202).location(`${req.baseUrl}/imports/${run.id}`).json(run);
  });
  return router;
}
