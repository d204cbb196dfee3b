import { once } from 'node:events';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { approveRun, rejectRun } from '../../sync/run-decisions.ts';
import { addDirectoryGroup, addDirectoryUser, provisionOne } from '../../sync/one-record.ts';
import { runSync } from '../../sync/run-sync.ts';
import {
  listSources,
  resumeQuarantined,
  searchSource,
  testSource,
} from '../../sync/source-admin.ts';
import { changesCsv, listChanges } from '../../sync/run-changes.ts';
import { countRuns, getRun, listRuns } from '../../sync/sync-runs.ts';
import { parseInput } from '../../validation.ts';
import { scopeOf } from '../authenticate.ts';

export const syncBody = z
  .object({
    mode: z.enum(['full', 'incremental']).default('incremental'),
    preview: z.boolean().default(false),
  })
  .strict();

export const provisionBody = z
  .object({
    login: z.string().trim().min(1, 'give the login of the directory user'),
    preview: z.boolean().default(false),
  })
  .strict();

export const addBody = z
  .object({
    login: z.string().trim().min(1).optional(),
    group: z.string().trim().min(1).optional(),
  })
  .strict()
  .refine((b) => (b.login === undefined) !== (b.group === undefined), {
    message: 'give exactly one of login (a directory user) or group (a directory group name or DN)',
    path: ['login'],
  });

const runSize = z.coerce.number().int().min(1).max(500);
const runsQuery = z
  .object({
    source: z.string().optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: runSize.optional(),
    /** The older name of pageSize, kept for the scripts that use it. */
    limit: runSize.optional(),
  })
  .strict()
  .refine((q) => q.pageSize === undefined || q.limit === undefined, {
    message: 'give pageSize or limit (its older name), not both',
    path: ['limit'],
  });

/** Sources, sync runs (with preview), held-run decisions and directory look-ups. */
export function syncRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;
  const deps = {
    db,
    sources: ctx.sources,
    log: ctx.log,
    metrics: ctx.metrics,
    reactions: ctx.reactions,
    instanceId: ctx.instanceId,
    writers: ctx.database.writers,
  };

  router.get('/sources', async (_req, res) => {
    const items = await listSources(deps, scopeOf(res));
    res.json({ items, total: items.length });
  });
  router.post('/sources/:name/resume', async (req, res) => {
    res.json(await resumeQuarantined(deps, scopeOf(res), req.params.name));
  });
  router.post('/sources/:name/provision', async (req, res) => {
    const body = parseInput(provisionBody, req.body ?? {});
    res.json(await provisionOne(deps, scopeOf(res), req.params.name, body));
  });
  router.post('/sources/:name/add', async (req, res) => {
    const body = parseInput(addBody, req.body ?? {});
    const scope = scopeOf(res);
    res
      .status(201)
      .json(
        body.login !== undefined
          ? await addDirectoryUser(deps, scope, req.params.name, body.login)
          : await addDirectoryGroup(deps, scope, req.params.name, body.group!),
      );
  });
  router.post('/sources/:name/test', async (req, res) => {
    res.json(await testSource(deps, scopeOf(res), req.params.name));
  });
  router.get('/sources/:name/search', async (req, res) => {
    const q = parseInput(
      z
        .object({
          q: z.string().default(''),
          limit: z.coerce.number().int().min(1).max(500).default(25),
        })
        .strict(),
      req.query,
    );
    const items = await searchSource(deps, scopeOf(res), req.params.name, q.q, q.limit);
    res.json({ items, total: items.length });
  });
  router.post('/sources/:name/runs', async (req, res) => {
    const body = parseInput(syncBody, req.body ?? {});
    const run = await runSync(deps, scopeOf(res), req.params.name, { ...body, trigger: 'api' });
    res.status(run.id ? 201 : 200).json(run);
  });
  router.get('/runs', async (req, res) => {
    const q = parseInput(runsQuery, req.query);
    const pageSize = q.pageSize ?? q.limit ?? 50;
    const orgId = scopeOf(res).orgId;
    const [items, total] = await Promise.all([
      listRuns(db, orgId, { source: q.source, limit: pageSize, offset: (q.page - 1) * pageSize }),
      countRuns(db, orgId, q.source),
    ]);
    res.json({ items, total, page: q.page, pageSize });
  });
  router.get('/runs/:id', async (req, res) => {
    const { run, heldActions } = await getRun(db, scopeOf(res).orgId, req.params.id);
    res.json({ ...run, heldActions: heldActions.slice(0, 100) });
  });
  router.get('/runs/:id/changes', async (req, res) => {
    const q = parseInput(
      z
        .object({
          page: z.coerce.number().int().min(1).default(1),
          pageSize: z.coerce.number().int().min(1).max(5000).default(500),
          format: z.enum(['json', 'csv']).default('json'),
        })
        .strict(),
      req.query,
    );
    const orgId = scopeOf(res).orgId;
    if (q.format === 'json') {
      res.json(await listChanges(db, orgId, req.params.id, q));
      return;
    }
    const lines = changesCsv(db, orgId, req.params.id);
    // The first chunk checks the run exists before any header is sent (a 404 stays a 404).
    const first = await lines.next();
    res.type('text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="run-${req.params.id}.csv"`);
    if (!first.done) res.write(first.value);
    for await (const chunk of lines) if (!res.write(chunk)) await once(res, 'drain');
    res.end();
  });
  router.post('/runs/:id/approve', async (req, res) => {
    res.json(await approveRun(deps, scopeOf(res), req.params.id));
  });
  router.post('/runs/:id/reject', async (req, res) => {
    res.json(await rejectRun(deps, scopeOf(res), req.params.id));
  });
  return router;
}
