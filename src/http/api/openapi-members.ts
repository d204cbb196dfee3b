import { createMemberSchema, updateMemberSchema } from '../../members/member-input.ts';
import { licenseInputSchema } from '../../licenses/license-service.ts';
import { body, errors, list, ok, paging, query, ref, transferTo } from './openapi-parts.ts';
import { z } from 'zod';

// The OpenAPI paths of members, groups, the role and user-type catalog, licences, API keys and
// owned resources.

export function memberPaths(): Record<string, object> {
  return {
    '/members': {
      get: {
        summary: 'List members',
        parameters: [
          query('status', 'pending, active or disabled'),
          query('signedIn', 'true: has signed in; false: not yet'),
          query('source', 'identity source name'),
          query('group', 'group id or name'),
          query('userType', 'user type name or file id'),
          query('role', 'role name'),
          query('license', 'add-on licence name: only members holding it'),
          query('search', 'substring of username, email or names'),
          query(
            'sort',
            'username, email, lastName, firstName, createdAt, updatedAt, lastSignInAt or status; prefix - for descending',
          ),
          ...paging,
        ],
        responses: { 200: list('Member'), ...errors },
      },
      post: {
        summary: 'Add a member',
        requestBody: body(createMemberSchema),
        responses: { 201: ok('created', { $ref: '#/components/schemas/Member' }), ...errors },
      },
    },
    '/members/{ref}': {
      parameters: [ref('ref')],
      get: {
        summary: 'One member (id or username)',
        responses: { 200: ok('the member', { $ref: '#/components/schemas/Member' }), ...errors },
      },
      patch: {
        summary: 'Change a member',
        requestBody: body(updateMemberSchema),
        responses: { 200: ok('updated'), ...errors },
      },
      delete: {
        summary: 'Delete a member, irreversibly',
        parameters: [transferTo],
        responses: { 200: ok('deleted, with what happened to owned resources'), ...errors },
      },
    },
    '/members/{ref}/disable': {
      parameters: [ref('ref')],
      post: { summary: 'Disable a member', responses: { 200: ok('disabled'), ...errors } },
    },
    '/members/{ref}/enable': {
      parameters: [ref('ref')],
      post: { summary: 'Enable a disabled member', responses: { 200: ok('enabled'), ...errors } },
    },
    '/groups': {
      get: {
        summary: 'List groups',
        parameters: [query('search', 'substring of the name'), ...paging],
        responses: { 200: list('Group'), ...errors },
      },
      post: {
        summary: 'Create a group',
        requestBody: body(z.object({ name: z.string(), description: z.string().optional() })),
        responses: { 201: ok('created'), ...errors },
      },
    },
    '/groups/{ref}': {
      parameters: [ref('ref')],
      get: {
        summary: 'One group',
        responses: { 200: ok('the group', { $ref: '#/components/schemas/Group' }), ...errors },
      },
      patch: {
        summary: 'Rename or describe a group',
        requestBody: body(z.object({ name: z.string(), description: z.string() }).partial()),
        responses: { 200: ok('updated'), ...errors },
      },
      delete: {
        summary: 'Delete a group (its members stay)',
        responses: { 200: ok('deleted'), ...errors },
      },
    },
    '/groups/{ref}/members': {
      parameters: [ref('ref')],
      get: {
        summary: 'Members of a group',
        parameters: paging,
        responses: { 200: list('Member'), ...errors },
      },
    },
    '/groups/{ref}/members/{member}': {
      parameters: [ref('ref'), ref('member')],
      put: {
        summary: 'Add a member to the group',
        responses: { 200: ok('already a member'), 201: ok('added'), ...errors },
      },
      delete: {
        summary: 'Remove a member from the group',
        responses: { 200: ok('removed'), ...errors },
      },
    },
    '/user-types': {
      get: {
        summary: 'User types with their compatible roles',
        responses: { 200: list('UserType'), ...errors },
      },
    },
    '/roles': {
      get: { summary: 'Roles', responses: { 200: list('Role'), ...errors } },
      post: {
        summary: 'Define a custom role (administrators only)',
        requestBody: body(
          z.object({
            name: z.string(),
            privileges: z.array(z.string()),
            aliases: z.array(z.string()).optional(),
            parameterName: z.string().nullable().optional(),
            parameterRequired: z.boolean().optional(),
            exclusiveSet: z.string().nullable().optional(),
          }),
        ),
        responses: { 201: ok('created'), ...errors },
      },
    },
    '/roles/{ref}': {
      parameters: [ref('ref')],
      patch: {
        summary: 'Change a custom role',
        requestBody: body(
          z
            .object({
              name: z.string(),
              privileges: z.array(z.string()),
              aliases: z.array(z.string()),
              parameterName: z.string().nullable(),
              parameterRequired: z.boolean(),
              exclusiveSet: z.string().nullable(),
            })
            .partial(),
        ),
        responses: { 200: ok('updated'), ...errors },
      },
      delete: {
        summary: 'Delete a custom role nobody holds',
        responses: { 200: ok('deleted'), ...errors },
      },
    },
    '/licenses': {
      get: {
        summary:
          'Add-on licences: who may hold each, how many the organization has, in use and available',
        responses: { 200: list('License'), ...errors },
      },
      post: {
        summary: 'Define an add-on licence (administrators only)',
        requestBody: body(licenseInputSchema.partial({ quantity: true })),
        responses: { 201: ok('created', { $ref: '#/components/schemas/License' }), ...errors },
      },
    },
    '/licenses/{ref}': {
      parameters: [ref('ref')],
      get: {
        summary: 'One licence with its use',
        responses: {
          200: ok('the licence', { $ref: '#/components/schemas/License' }),
          ...errors,
        },
      },
      patch: {
        summary: 'Rename a licence (its holders keep it), change its user types or quantity',
        requestBody: body(licenseInputSchema.partial()),
        responses: { 200: ok('updated', { $ref: '#/components/schemas/License' }), ...errors },
      },
      delete: {
        summary: 'Delete a licence nobody holds',
        responses: { 200: ok('deleted'), ...errors },
      },
    },
    '/keys': {
      get: { summary: 'API keys, newest first', responses: { 200: list('ApiKey'), ...errors } },
      post: {
        summary:
          'Create an API key (administrators only); the secret is in this response only. The expiry is required: expiresAt or expiresInDays (365 for one year)',
        requestBody: body(
          z.object({
            title: z.string(),
            role: z.enum(['editor', 'viewer']),
            scopes: z
              .array(z.enum(['api', 'scim']))
              .optional()
              .describe(
                'what the key reaches: /api/v1 (api, the default), /scim/v2 (scim) or both',
              ),
            expiresAt: z.string().optional(),
            expiresInDays: z.number().int().optional(),
            creatorEmail: z.string().optional(),
          }),
        ),
        responses: { 201: ok('created, with its secret'), ...errors },
      },
    },
    '/keys/{id}': {
      parameters: [ref('id')],
      get: {
        summary: 'One API key',
        responses: { 200: ok('the key', { $ref: '#/components/schemas/ApiKey' }), ...errors },
      },
      delete: {
        summary: 'Delete an API key, irreversibly (administrators only)',
        parameters: [transferTo],
        responses: { 200: ok('deleted'), ...errors },
      },
    },
    '/resources': {
      get: {
        summary: 'Owned resources',
        parameters: [query('owner', 'member or key id')],
        responses: { 200: list('Resource'), ...errors },
      },
      post: {
        summary: 'Record a resource and its owner',
        requestBody: body(
          z.object({
            kind: z.string(),
            name: z.string(),
            owner: z.string().optional(),
            sharedWith: z.array(z.string()).optional(),
          }),
        ),
        responses: { 201: ok('created'), ...errors },
      },
    },
    '/resources/{id}': {
      parameters: [ref('id')],
      get: { summary: 'One resource', responses: { 200: ok('the resource'), ...errors } },
    },
  };
}
