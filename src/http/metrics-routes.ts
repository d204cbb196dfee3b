import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request, Router } from 'express';
import type { AppContext } from '../app-context.ts';
import { resolveSecret } from '../config/secrets.ts';
import { sendProblem } from './problem.ts';

// /metrics tells routes, timings and process details: it answers only who may read them. With
// metrics.token, the bearer of that token; on a listener of its own (metrics.port), whoever
// reaches it; otherwise only direct requests from the daemon's machine (a loopback peer with no
// forwarding header, so a reverse proxy on the same machine does not open it to everyone).

const digest = (text: string) => createHash('sha256').update(text).digest();

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

function isDirectLocal(req: Request): boolean {
  return (
    LOOPBACK.test(req.socket.remoteAddress ?? '') &&
    req.get('x-forwarded-for') === undefined &&
    req.get('forwarded') === undefined
  );
}

export function metricsRoutes(ctx: AppContext, listener: 'main' | 'own'): Router {
  const router = Router();
  const configured = ctx.config.metrics.token;
  const expected = configured ? digest(resolveSecret(configured)) : null;
  router.get('/metrics', async (req, res) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const allowed = expected
      ? bearer !== undefined && timingSafeEqual(digest(bearer), expected)
      : listener === 'own' || isDirectLocal(req);
    if (!allowed) {
      if (expected) res.set('WWW-Authenticate', 'Bearer realm="provisiond metrics"');
      sendProblem(
        res,
        expected ? 401 : 403,
        'Metrics are not public',
        expected
          ? 'send the metrics token as "Authorization: Bearer <token>" (metrics.token)'
          : 'metrics answer only local requests; set metrics.token or metrics.port to read them from elsewhere',
      );
      return;
    }
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  return router;
}
