import type { Router } from 'express';
import type { AppContext } from '../../app-context.ts';
import type { Channel } from '../authenticate.ts';

// The admin API's route modules, each under the first segments of the paths it serves
// (`members` for /api/v1/members/42/enable), in the order a request tries them. A module is
// imported on the first request under one of its segments (../lazy-routes.ts).

export interface ApiRouteModule {
  segments: readonly string[];
  /** Takes the file itself as the body (CSV or text), so it is tried before JSON is required. */
  rawBody?: true;
  /** Only on this channel (the backup streams the whole database: the local socket only). */
  channel?: Channel;
  load(ctx: AppContext): Promise<Router>;
  /** Imports the module without building its routes (see importRoutes in ../app.ts). */
  preload(): Promise<unknown>;
}

function routeModule<M>(
  entry: Omit<ApiRouteModule, 'load' | 'preload'>,
  importModule: () => Promise<M>,
  build: (module: M, ctx: AppContext) => Router,
): ApiRouteModule {
  return { ...entry, preload: importModule, load: async (ctx) => build(await importModule(), ctx) };
}

export const API_ROUTES: readonly ApiRouteModule[] = [
  routeModule(
    { segments: ['imports'], rawBody: true },
    () => import('./imports-routes.ts'),
    (m, ctx) => m.importsRoutes(ctx),
  ),
  routeModule(
    { segments: ['backup'], channel: 'local' },
    () => import('./backup-routes.ts'),
    (m, ctx) => m.backupRoutes(ctx),
  ),
  routeModule(
    { segments: ['me'] },
    () => import('./me-routes.ts'),
    (m, ctx) => m.meRoutes(ctx),
  ),
  routeModule(
    { segments: ['members'] },
    () => import('./setup-link-routes.ts'),
    (m, ctx) => m.setupLinkRoutes(ctx),
  ),
  routeModule(
    { segments: ['overview'] },
    () => import('./overview-routes.ts'),
    (m, ctx) => m.overviewRoutes(ctx),
  ),
  routeModule(
    { segments: ['members'] },
    () => import('./members-routes.ts'),
    (m, ctx) => m.membersRoutes(ctx),
  ),
  routeModule(
    { segments: ['groups'] },
    () => import('./groups-routes.ts'),
    (m, ctx) => m.groupsRoutes(ctx),
  ),
  routeModule(
    {
      segments: [
        'audit',
        'keys',
        'organization',
        'organizations',
        'resources',
        'roles',
        'scim',
        'user-types',
      ],
    },
    () => import('./admin-routes.ts'),
    (m, ctx) => m.adminRoutes(ctx),
  ),
  routeModule(
    { segments: ['runs', 'sources'] },
    () => import('./sync-routes.ts'),
    (m, ctx) => m.syncRoutes(ctx),
  ),
  routeModule(
    { segments: ['sources'] },
    () => import('./sources-routes.ts'),
    (m, ctx) => m.sourcesRoutes(ctx),
  ),
  routeModule(
    { segments: ['codes'] },
    () => import('./codes-routes.ts'),
    (m, ctx) => m.codesRoutes(ctx),
  ),
  routeModule(
    { segments: ['invitations'] },
    () => import('./invitations-routes.ts'),
    (m, ctx) => m.invitationsRoutes(ctx),
  ),
  routeModule(
    { segments: ['licenses'] },
    () => import('./licenses-routes.ts'),
    (m, ctx) => m.licensesRoutes(ctx),
  ),
];
