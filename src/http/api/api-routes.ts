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
}

export const API_ROUTES: readonly ApiRouteModule[] = [
  {
    segments: ['imports'],
    rawBody: true,
    load: async (ctx) => (await import('./imports-routes.ts')).importsRoutes(ctx),
  },
  {
    segments: ['backup'],
    channel: 'local',
    load: async (ctx) => (await import('./backup-routes.ts')).backupRoutes(ctx),
  },
  { segments: ['me'], load: async (ctx) => (await import('./me-routes.ts')).meRoutes(ctx) },
  {
    segments: ['members'],
    load: async (ctx) => (await import('./setup-link-routes.ts')).setupLinkRoutes(ctx),
  },
  {
    segments: ['overview'],
    load: async (ctx) => (await import('./overview-routes.ts')).overviewRoutes(ctx),
  },
  {
    segments: ['members'],
    load: async (ctx) => (await import('./members-routes.ts')).membersRoutes(ctx),
  },
  {
    segments: ['groups'],
    load: async (ctx) => (await import('./groups-routes.ts')).groupsRoutes(ctx),
  },
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
    load: async (ctx) => (await import('./admin-routes.ts')).adminRoutes(ctx),
  },
  {
    segments: ['runs', 'sources'],
    load: async (ctx) => (await import('./sync-routes.ts')).syncRoutes(ctx),
  },
  {
    segments: ['sources'],
    load: async (ctx) => (await import('./sources-routes.ts')).sourcesRoutes(ctx),
  },
  {
    segments: ['codes'],
    load: async (ctx) => (await import('./codes-routes.ts')).codesRoutes(ctx),
  },
  {
    segments: ['invitations'],
    load: async (ctx) => (await import('./invitations-routes.ts')).invitationsRoutes(ctx),
  },
  {
    segments: ['licenses'],
    load: async (ctx) => (await import('./licenses-routes.ts')).licensesRoutes(ctx),
  },
];
