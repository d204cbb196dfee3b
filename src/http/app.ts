import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../app-context.ts';
import { membersRoutes } from './api/members-routes.ts';
import { groupsRoutes } from './api/groups-routes.ts';
import { adminRoutes } from './api/admin-routes.ts';
import { sourcesRoutes } from './api/sources-routes.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { acceptRoutes } from './invitations/accept-routes.ts';
import { syncRoutes } from './api/sync-routes.ts';
import { importsRoutes } from './api/imports-routes.ts';
import { codesRoutes } from './api/codes-routes.ts';
import { invitationsRoutes } from './api/invitations-routes.ts';
import { licensesRoutes } from './api/licenses-routes.ts';
import { openApiDocument } from './api/openapi.ts';
import { meRoutes } from './api/me-routes.ts';
import { setupLinkRoutes } from './api/setup-link-routes.ts';
import { overviewRoutes } from './api/overview-routes.ts';
import { backupRoutes } from './api/backup-routes.ts';
import { type Channel, authenticate } from './authenticate.ts';
import { consoleRoutes } from './console-routes.ts';
import { healthRoutes } from './health-routes.ts';
import { requestSpans } from '../observability/tracing.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { securityHeaders } from './security-headers.ts';
import { scimRouter } from './scim/scim-router.ts';
import { problemHandler, sendProblem } from './problem.ts';
import { inputLimits, jsonBody, requestGuard } from './input/request-guard.ts';

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

export function createApp(ctx: AppContext, channel: Channel): express.Express {
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
  // SCIM answers its refusals as SCIM errors: it guards its requests itself.
  app.use('/scim/v2', scimRouter(ctx));
  app.use(requestGuard(inputLimits(ctx)));
  app.use(healthRoutes(ctx));
  if (ctx.config.metrics.port === undefined) app.use(metricsRoutes(ctx, 'main'));
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  const api = express.Router();
  api.use(
    jsonBody(inputLimits(ctx), {
      limit: '1mb',
      type: ['application/json', 'application/*+json'],
    }),
  );
  api.use(authenticate(ctx, channel));
  // Imports take the file itself as the body (CSV or text), not JSON.
  api.use(importsRoutes(ctx));
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
  if (channel === 'local') api.use(backupRoutes(ctx));
  api.use(
    meRoutes(ctx),
    setupLinkRoutes(ctx),
    overviewRoutes(ctx),
    membersRoutes(ctx),
    groupsRoutes(ctx),
    adminRoutes(ctx),
    syncRoutes(ctx),
    sourcesRoutes(ctx),
    codesRoutes(ctx),
    invitationsRoutes(ctx),
    licensesRoutes(ctx),
  );
  app.use('/api/v1', api);
  if (channel === 'tcp') app.use(authRoutes(ctx), acceptRoutes(ctx), consoleRoutes());
  app.use((req, res) =>
    sendProblem(res, 404, 'Not found', `no route for ${req.method} ${req.path}`),
  );
  app.use(problemHandler(ctx.log));
  return app;
}
