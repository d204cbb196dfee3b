import { body, errors, problem, typed } from './openapi-parts.ts';
import { organizationUpdateSchema } from '../../org-settings/organization-settings.ts';
import { meSchema } from './me-routes.ts';
import { organizationSchema, overviewSchema } from './organization-schemas.ts';
import { setupLinkBody, setupLinkSchema } from './setup-link-routes.ts';

// The parts of the OpenAPI document for the administrators' own endpoints (who am I, organization
// settings, overview); responses come from the zod schemas the handlers answer with.

export const sessionSecurity = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'pvd_session',
    description:
      'The session of a member signed in at /auth/sign-in (any source) with the Administrator role, or a scope administrator. Every write also needs the X-CSRF-Token header (from GET /me) and must come from the daemon’s own origin.',
  },
};

export function adminPaths(): Record<string, object> {
  return {
    '/organization': {
      get: {
        summary:
          'The organization of the caller, with its settings and the defaults for new members',
        responses: { 200: typed('the organization', organizationSchema), ...errors },
      },
      patch: {
        summary:
          'Change the name or settings (administrators). newMemberDefaults: given keys replace the current ones, null puts one back to the built-in default; the user type and role must exist and fit, the groups must exist. Errors name the field, e.g. newMemberDefaults.role',
        requestBody: body(organizationUpdateSchema),
        responses: {
          200: typed('the organization after the change', organizationSchema),
          ...errors,
        },
      },
    },
    '/overview': {
      get: {
        summary:
          'The organization at a glance: members by status and user type, pending invitations, licences in use, membership limit, sources with their last run',
        responses: { 200: typed('the overview', overviewSchema), ...errors },
      },
    },
    '/me': {
      get: {
        summary:
          'Who is calling: actor, organization, access level, the groups a limited member acts on, and the CSRF token of a session',
        responses: { 200: typed('the caller', meSchema), 401: problem },
      },
    },
    '/members/{ref}/setup-link': {
      parameters: [
        {
          name: 'ref',
          in: 'path',
          required: true,
          schema: { type: 'string' },
          description: 'id or username',
        },
      ],
      post: {
        summary:
          'A one-time link (single use, expiring, hashed at rest) for a built-in member to choose their password; a newer link replaces an unused one (administrators)',
        requestBody: { ...body(setupLinkBody), required: false },
        responses: {
          201: typed('the link, shown once', setupLinkSchema),
          400: problem,
          403: problem,
          404: problem,
          409: problem,
        },
      },
    },
  };
}
