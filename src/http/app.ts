import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../app-context.ts';
import { type Channel, authenticate } from './authenticate.ts';
import { healthRoutes } from './health-routes.ts';
import { requestSpans } from '../observability/tracing.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { securityHeaders } from './security-headers.ts';
import { problemHandler, sendProblem } from './problem.ts';
import { inputLimits, jsonBody, requestGuard } from './input/request-guard.ts';
import { type LazyHandler, bySegment, onFirstUse } from './lazy-routes.ts';
import { API_ROUTES } from './api/api-routes.ts';

function timing(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = ctx.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      // The route pattern, not the URL, so that ids do not explode the label set.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

/** The management listener's app (metrics.port): /metrics and nothing else. */
export function createMetricsApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRoutes(ctx, 'own'));
  app.use((req, res) =>
    sendProblem(res, 404, 'Not found', `no route for ${req.method} ${req.path}`),
  );
  return app;
}

const importScim = () => import('./scim/scim-router.ts');
const importOpenApi = () => import('./api/openapi.ts');
/** The TCP channel's: sign-in, invitation acceptance and the console. */
const importBrowserRoutes = () =>
  Promise.all([
    import('./auth/auth-routes.ts'),
    import('./invitations/accept-routes.ts'),
    import('./console-routes.ts'),
  ]);

/**
 * Imports every route module without building any: the daemon does it while its database opens,
 * so that createApp, which needs the opened database, only builds.
 */
export async function importRoutes(): Promise<void> {
  await Promise.all([
    importScim(),
    importOpenApi(),
    importBrowserRoutes(),
    ...API_ROUTES.map((m) => m.preload()),
  ]);
}

/**
 * Whether every route module is imported before the app is handed out (the daemon: a broken
 * module fails the start, and no request waits for an import) or on its first request (one CLI
 * command, which serves one or two requests).
 */
export type RouteLoading = 'before-start' | 'on-first-use';

export async function createApp(
  ctx: AppContext,
  channel: Channel,
  loading: RouteLoading = 'before-start',
): Promise<express.Express> {
  const app = express();
  app.disable('x-powered-by');
  // Express would hash every response body for an ETag; SCIM sets its own (the version), and the
  // admin API does not use them.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestSpans());
  // X-Forwarded-For is read only from the configured proxies: anyone else could name any address.
  app.set('trust proxy', ctx.config.server.trustProxy ?? false);
  app.use(securityHeaders(ctx.config.server.publicUrl));
  app.use(timing(ctx));
  const lazy: LazyHandler[] = [];
  const later = (importHandler: () => Promise<express.RequestHandler>) => {
    const handler = onFirstUse(importHandler);
    lazy.push(handler);
    return handler;
  };
  // SCIM answers its refusals as SCIM errors: it guards its requests itself.
  app.use(
    '/scim/v2',
    later(async () => (await importScim()).scimRouter(ctx)),
  );
  app.use(requestGuard(inputLimits(ctx)));
  app.use(healthRoutes(ctx));
  if (ctx.config.metrics.port === undefined) app.use(metricsRoutes(ctx, 'main'));
  const openApi = later(async () => {
    const { openApiDocument } = await importOpenApi();
    return (_req, res) => {
      res.json(openApiDocument());
    };
  });
  app.get('/api/v1/openapi.json', openApi);
  const api = express.Router();
  api.use(
    jsonBody(inputLimits(ctx), {
      limit: '1mb',
      type: ['application/json', 'application/*+json'],
    }),
  );
  api.use(authenticate(ctx, channel));
  // A module's segments share one handler, so that it is imported and built once.
  const modules = API_ROUTES.filter((m) => !m.channel || m.channel === channel).map(
    (m) => [m, later(async () => m.load(ctx))] as const,
  );
  const routes = (rawBody: boolean) =>
    bySegment(
      modules
        .filter(([m]) => (m.rawBody ?? false) === rawBody)
        .flatMap(([m, handler]) => m.segments.map((segment) => [segment, handler] as const)),
    );
  api.use(routes(true));
  api.use((req, _res, next) => {
    // Writes must say they send JSON, so that a form post or a typo'd header is not read as {}.
    if (
      ['POST', 'PATCH', 'PUT'].includes(req.method) &&
      req.headers['content-length'] !== '0' &&
      req.headers['content-length'] !== undefined &&
      !req.is(['application/json', 'application/*+json'])
    ) {
      next(
        Object.assign(new Error('send the body as JSON with "Content-Type: application/json"'), {
          status: 415,
        }),
      );
      return;
    }
    next();
  });
  api.use(routes(false));
  app.use('/api/v1', api);
  if (channel === 'tcp') {
    const [{ authRoutes }, { acceptRoutes }, { consoleRoutes }] = await importBrowserRoutes();
    app.use(authRoutes(ctx), acceptRoutes(ctx), consoleRoutes());
  }
  app.use((req, res) =>
    sendProblem(res, 404, 'Not found', `no route for ${req.method} ${req.path}`),
  );
  app.use(problemHandler(ctx.log));
  if (loading === 'before-start') await Promise.all(lazy.map((handler) => handler.load()));
  return app;
}
