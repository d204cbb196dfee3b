import { Router } from 'express';
import { requireAdministrator } from '../../access/actor.ts';
import type { AppContext } from '../../app-context.ts';
import { snapshot } from '../../backup/snapshot.ts';
import { scopeOf } from '../authenticate.ts';

// The consistent copy `provisiond backup` writes to a file, as JSON lines. Mounted on the local
// socket only (the daemon's owner): on the embedded database only the daemon can read it while
// it runs. Not in the OpenAPI document, which describes the network API.

export function backupRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/backup', async (_req, res) => {
    requireAdministrator(scopeOf(res).actor, 'copying the database');
    res.type('application/x-ndjson');
    try {
      for await (const line of snapshot(ctx.database.knex, ctx.database.kind)) {
        if (!res.write(`${JSON.stringify(line)}\n`))
          await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    } catch (error) {
      // The headers are gone: cut the stream, and the copy, which lacks its last line, is refused.
      ctx.log.error({ err: error }, 'database copy failed');
      res.destroy(error as Error);
    }
  });
  return router;
}
