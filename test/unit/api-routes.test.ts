import test from 'ava';
import express from 'express';
import { API_ROUTES } from '../../src/http/api/api-routes.ts';
import { openApiDocument } from '../../src/http/api/openapi.ts';
import { bySegment, onFirstUse } from '../../src/http/lazy-routes.ts';

// The admin API imports a route module on the first request under one of its path segments: a
// documented path whose segment no module claims would answer 404.

test('every documented admin API path has a route module for its first segment', (t) => {
  const claimed = new Set(API_ROUTES.flatMap((m) => m.segments));
  const paths = Object.keys((openApiDocument() as { paths: Record<string, unknown> }).paths);
  t.true(paths.length > 40);
  const unclaimed = paths.filter((p) => !claimed.has(p.split('/')[1] ?? ''));
  t.deepEqual(unclaimed, []);
});

async function serve(app: express.Express): Promise<{ url: string; close(): void }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

test('a segment imports only its own modules, once, and tries them in order', async (t) => {
  const imported: string[] = [];
  const module = (name: string, answers: string) =>
    onFirstUse(async () => {
      imported.push(name);
      const router = express.Router();
      router.get(answers, (_req, res) => {
        res.send(name);
      });
      return router;
    });
  const first = module('setup-links', '/members/:ref/setup-link');
  const second = module('members', '/members/:ref');
  const groups = module('groups', '/groups');
  const app = express();
  app.use(
    bySegment([
      ['members', first],
      ['members', second],
      ['groups', groups],
    ]),
  );
  app.use((_req, res) => {
    res.status(404).send('none');
  });
  const server = await serve(app);
  try {
    const text = async (path: string) => (await fetch(`${server.url}${path}`)).text();
    t.is(await text('/members/42'), 'members');
    t.deepEqual(imported, ['setup-links', 'members']);
    t.is(await text('/members/42/setup-link'), 'setup-links');
    t.is(await text('/members/42'), 'members');
    t.deepEqual(imported, ['setup-links', 'members'], 'each module is imported once');
    t.is(await text('/nothing'), 'none');
    t.deepEqual(imported, ['setup-links', 'members'], 'an unclaimed segment imports nothing');
    t.is(await text('/groups'), 'groups');
  } finally {
    server.close();
  }
});

test('a route module that fails to import answers through the error handler', async (t) => {
  const broken = onFirstUse(() => Promise.reject(new Error('module missing')));
  const app = express();
  app.use(bySegment([['members', broken]]));
  app.use(
    (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(503).send(error.message);
    },
  );
  const server = await serve(app);
  try {
    const response = await fetch(`${server.url}/members`);
    t.is(response.status, 503);
    t.is(await response.text(), 'module missing');
    await t.throwsAsync(broken.load(), { message: 'module missing' });
  } finally {
    server.close();
  }
});
