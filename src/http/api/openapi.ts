import { adminPaths, sessionSecurity } from './openapi-admin.ts';
import { importPaths } from './openapi-imports.ts';
import { invitationPaths } from './openapi-invitations.ts';
import { logPaths } from './openapi-logs.ts';
import { memberPaths } from './openapi-members.ts';
import { componentSchemas } from './openapi-schemas.ts';
import { syncPaths } from './openapi-sync-paths.ts';

// The OpenAPI 3.1 description of /api/v1. Request bodies come from the same zod schemas the
// handlers validate with, so the document cannot drift from what is accepted.

let cached: object | undefined;

export function openApiDocument(): object {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'provisiond admin API',
      version: '1',
      description:
        'Members, groups, roles, API keys and the audit log of one organization. Authenticate with an API key: `Authorization: Bearer <secret>`. Viewer keys only read.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ apiKey: [] }, { session: [] }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key secret, as printed once by `provisiond keys create`',
        },
        ...sessionSecurity,
      },
      schemas: componentSchemas,
    },
    paths: {
      ...adminPaths(),
      ...memberPaths(),
      ...logPaths(),
      ...syncPaths(),
      ...importPaths(),
      ...invitationPaths(),
    },
  };
  return cached;
}
