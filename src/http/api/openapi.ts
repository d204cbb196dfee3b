import { z } from 'zod';
import { MODE_IDS, TEMPLATE_LANGUAGES } from '../../import/import-modes.ts';
import { createMemberSchema, updateMemberSchema } from '../../members/member-input.ts';
import { addBody, provisionBody, syncBody } from './sync-routes.ts';
import { createCodesSchema } from '../../invitations/code-store.ts';
import { createInvitationSchema } from '../../invitations/invitation-request.ts';
import { adminPaths, sessionSecurity } from './openapi-admin.ts';
import { importModesSchema, importRunSchema } from './import-schemas.ts';
import { syncSchemas } from './openapi-sync.ts';
import { licenseInputSchema } from '../../licenses/license-service.ts';

// The OpenAPI 3.1 description of /api/v1. Request bodies come from the same zod schemas the
// handlers validate with, so the document cannot drift from what is accepted.

const body = (schema: z.ZodType) => ({
  required: true,
  content: {
    'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
  },
});

const problem = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };
const ok = (description: string, schema: object = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});
const typed = (description: string, schema: z.ZodType) =>
  ok(description, z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }));
const list = (item: string) =>
  ok('a page', {
    type: 'object',
    required: ['items', 'total'],
    properties: {
      items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } },
      total: { type: 'integer' },
      page: { type: 'integer' },
      pageSize: { type: 'integer' },
    },
  });
const ref = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'id (uuid) or name',
});
const query = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
const paging = [
  query('page', '1-based page', { type: 'integer', minimum: 1 }),
  query('pageSize', 'items per page', { type: 'integer', minimum: 1 }),
];
const transferTo = query(
  'transferTo',
  'member (id or username) who receives what is owned; without it, owned resources are deleted',
);

const simpleObject = (properties: Record<string, object>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

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
      schemas: {
        ...syncSchemas,
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            issues: {
              type: 'array',
              items: simpleObject({ field: { type: 'string' }, message: { type: 'string' } }),
            },
          },
        },
        Member: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' },
            username: { type: 'string' },
            email: { type: 'string' },
            firstName: { type: 'string' },
            lastName: { type: 'string' },
            displayName: { type: 'string' },
            description: { type: 'string' },
            userType: { type: 'object' },
            role: { type: 'object' },
            additionalRoles: { type: 'array' },
            groupRoles: {
              type: 'array',
              description:
                'roles held within one group only, each with its group (granted by a code scoped to that group)',
            },
            status: { enum: ['pending', 'active', 'disabled'] },
            source: { type: 'string' },
            groups: { type: 'array' },
            links: { type: 'array' },
            licenses: { type: 'array' },
            categories: { type: 'array' },
            credits: { type: ['number', 'null'], description: 'null means unlimited' },
            settings: { type: 'object' },
            directory: {
              type: 'object',
              description:
                'profile attributes mapped from a directory source (department, title, employeeNumber, phone, manager, accountExpires)',
            },
            hasPassword: { type: 'boolean' },
            mustChangePassword: { type: 'boolean' },
            lastSignInAt: { type: ['string', 'null'] },
            version: { type: 'integer' },
            createdAt: { type: 'string' },
            updatedAt: { type: 'string' },
          },
        },
        Group: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            description: { type: 'string' },
            memberCount: { type: 'integer' },
          },
        },
        Role: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            aliases: { type: 'array' },
            privileges: { type: 'array' },
            parameterName: { type: ['string', 'null'] },
            parameterRequired: {
              type: 'boolean',
              description: 'whether grants must carry the parameter (else it is optional)',
            },
            exclusiveSet: { type: ['string', 'null'] },
          },
        },
        UserType: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            fileId: { type: 'string' },
            privileges: { type: 'array' },
            compatibleRoles: { type: 'array' },
          },
        },
        License: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' },
            name: { type: 'string' },
            userTypes: { type: 'array', items: { type: 'string' } },
            quantity: { type: ['integer', 'null'], description: 'null: no limit' },
            inUse: { type: 'integer', description: 'active and disabled members holding it' },
            pendingInvitations: {
              type: 'integer',
              description: 'given with invitations not yet accepted (not counted as in use)',
            },
            available: { type: ['integer', 'null'], description: 'null: no limit' },
            migrated: { type: 'boolean' },
          },
        },
        ApiKey: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            title: { type: 'string' },
            role: { enum: ['editor', 'viewer'] },
            scopes: { type: 'array', items: { enum: ['api', 'scim'] } },
            createdBy: { type: 'string' },
            createdByEmail: { type: ['string', 'null'], description: "the creator's email" },
            createdAt: { type: 'string' },
            expiresAt: { type: 'string' },
            lastUsedAt: { type: ['string', 'null'] },
            status: { enum: ['active', 'expired'] },
          },
        },
        ProvisioningEntry: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            at: { type: 'string' },
            keyId: { type: ['string', 'null'] },
            keyTitle: { type: ['string', 'null'] },
            method: { type: 'string' },
            operation: { enum: ['create', 'replace', 'update', 'delete', 'bulk'] },
            resourceType: { enum: ['User', 'Group', 'Bulk'] },
            targetId: { type: ['string', 'null'] },
            status: { type: 'integer' },
            attributes: { type: 'array', items: { type: 'string' } },
            detail: { type: ['string', 'null'] },
          },
        },
        AuditEntry: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            at: { type: 'string' },
            actor: { type: 'object' },
            action: { type: 'string' },
            target: { type: 'object' },
            before: {},
            after: {},
          },
        },
        Resource: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            kind: { type: 'string' },
            name: { type: 'string' },
            owner: { type: 'object' },
            sharedWith: { type: 'array' },
          },
        },
        Organization: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            slug: { type: 'string' },
            membershipLimit: { type: ['integer', 'null'] },
            allowAdminInvitations: { type: 'boolean' },
            allowInvitationsWithoutRole: {
              type: 'boolean',
              description:
                'invitations may give no role (role: null); the invitee gets the defaults',
            },
            scimPasswordPush: {
              type: 'boolean',
              description:
                'a password an identity provider sends over SCIM becomes the built-in password (off by default)',
            },
            invitationExpiryDays: { type: 'integer' },
            newMemberDefaults: { type: 'object' },
          },
        },
      },
    },
    paths: {
      ...adminPaths(),
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
      '/scim/log': {
        get: {
          summary:
            'The SCIM provisioning log, newest first: each SCIM write with its key, operation, target, status and the names of the attributes it touched (never values)',
          parameters: [
            query('keyId', 'the API key the identity provider used'),
            query('targetId', 'the user or group id'),
            query('operation', 'create, replace, update, delete or bulk'),
            query('resourceType', 'User, Group or Bulk'),
            query('outcome', 'success (status below 400) or failure'),
            query('status', 'an HTTP status, e.g. 409'),
            query('since', 'ISO date-time'),
            query('until', 'ISO date-time'),
            ...paging,
          ],
          responses: { 200: list('ProvisioningEntry'), ...errors },
        },
      },
      '/audit': {
        get: {
          summary: 'The audit log, newest first',
          parameters: [
            query('action', 'e.g. member.create'),
            query('targetId', 'id of the changed thing'),
            query('actorId', 'key or member id'),
            query('actor', 'the actor by id or name (username, key title), case-insensitive'),
            query('targetType', 'e.g. member, organization, invitation'),
            query('since', 'ISO date-time'),
            query('until', 'ISO date-time'),
            ...paging,
          ],
          responses: { 200: list('AuditEntry'), ...errors },
        },
      },
      '/sources': {
        get: {
          summary:
            'Configured identity sources (never their secrets), with their last run, health (back-off, quarantine, last error and code) and any held run',
          responses: { 200: list('Source'), ...errors },
        },
      },
      '/sources/{name}/test': {
        parameters: [ref('name')],
        post: {
          summary: 'Bind to a source and read one entry (administrators)',
          responses: { 200: ok('{ ok, message }'), ...errors },
        },
      },
      '/sources/{name}/provision': {
        parameters: [ref('name')],
        post: {
          summary:
            'Provision on demand (administrators): read one directory user and their groups and answer step by step — found (with the attributes read), in scope or not and why, correlation, situation, action, every attribute changed (before → after), group memberships changed; with preview nothing is written. 404 names the source when the login is unknown',
          requestBody: body(provisionBody),
          responses: {
            200: ok(
              '{ source, login, preview, steps[], found, inScope, outOfScope, situation, action, memberId, changes[{field,before,after}], groups{joined,left} }',
            ),
            ...errors,
          },
        },
      },
      '/sources/{name}/add': {
        parameters: [ref('name')],
        post: {
          summary:
            "Add on the spot (administrators): one directory user ({login}, e.g. from the source's search) or the members of one directory group ({group}: name or DN; nested groups as the source reads them), created and linked exactly as a sync would. 404 names the source when the user or group is unknown; 400 with the reason when the source's scope leaves it out",
          requestBody: body(addBody),
          responses: {
            201: ok(
              'for a user, the same answer as provision; for a group { source, group, dn, counts, members[], skipped[{member,reason}] }',
            ),
            ...errors,
          },
        },
      },
      '/sources/{name}/resume': {
        parameters: [ref('name')],
        post: {
          summary:
            'Lift a quarantine and the back-off of a failing source: its schedule runs it again (administrators)',
          responses: { 200: ok('{ source, health }'), ...errors },
        },
      },
      '/sources/{name}/search': {
        parameters: [ref('name')],
        get: {
          summary: 'Users and groups of a directory containing q (administrators)',
          parameters: [
            query('q', 'text to look for'),
            query('limit', 'at most', { type: 'integer' }),
          ],
          responses: { 200: ok('entries'), ...errors },
        },
      },
      '/sources/{name}/runs': {
        parameters: [ref('name')],
        post: {
          summary: 'Run a sync (administrators); a preview computes the plan and writes nothing',
          requestBody: body(syncBody),
          responses: {
            200: ok('the preview (nothing recorded: id is null)', {
              $ref: '#/components/schemas/SyncRun',
            }),
            201: ok('the run record', { $ref: '#/components/schemas/SyncRun' }),
            ...errors,
          },
        },
      },
      '/runs': {
        get: {
          summary: 'Sync runs, newest first, a page at a time (50 by default, at most 500)',
          parameters: [
            query('source', 'only this source'),
            ...paging,
            query('limit', 'the older name of pageSize', { type: 'integer', minimum: 1 }),
          ],
          responses: { 200: list('SyncRun'), ...errors },
        },
      },
      '/runs/{id}': {
        parameters: [ref('id')],
        get: {
          summary: 'One sync run with its counts, samples and (held) removals',
          responses: {
            200: ok('the run, with its held removals (the first 100)', {
              allOf: [
                { $ref: '#/components/schemas/SyncRun' },
                {
                  type: 'object',
                  properties: {
                    heldActions: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          memberId: { type: 'string' },
                          externalId: { type: 'string' },
                          login: { type: ['string', 'null'] },
                          action: { enum: ['disable', 'delete'] },
                        },
                      },
                    },
                  },
                },
              ],
            }),
            ...errors,
          },
        },
      },
      '/runs/{id}/changes': {
        parameters: [ref('id')],
        get: {
          summary:
            "A run's full change list, each change named by login with its attribute changes (before → after); paged as JSON, or the whole list as CSV (format=csv, streamed)",
          parameters: [
            ...paging,
            query('format', 'json (default, paged) or csv (everything)', {
              type: 'string',
              enum: ['json', 'csv'],
            }),
          ],
          responses: {
            200: ok(
              '{ items[{action, login, externalId, detail, attributes[{field,before,after}]}], total, page, pageSize }',
            ),
            ...errors,
          },
        },
      },
      '/runs/{id}/approve': {
        parameters: [ref('id')],
        post: {
          summary:
            'Approve a held run: the directory is read again and only the removals whose records are still gone are applied (administrators); 409 once decided',
          responses: {
            200: ok('the run, with decision { applied, returned }', {
              $ref: '#/components/schemas/SyncRun',
            }),
            503: problem,
            ...errors,
          },
        },
      },
      '/runs/{id}/reject': {
        parameters: [ref('id')],
        post: {
          summary: 'Drop the removals of a held run (administrators); 409 once decided',
          responses: { 200: ok('the run', { $ref: '#/components/schemas/SyncRun' }), ...errors },
        },
      },
      '/imports/modes': {
        get: {
          summary:
            'The CSV import modes: their header lines and the columns a file may have, with every label a header may use for each',
          responses: { 200: typed('the modes', importModesSchema), ...errors },
        },
      },
      '/imports/templates/{mode}': {
        parameters: [
          {
            name: 'mode',
            in: 'path',
            required: true,
            schema: { type: 'string', enum: [...MODE_IDS] },
          },
        ],
        get: {
          summary: 'The UTF-8 CSV template of a mode, its header line in the language asked',
          parameters: [
            query('language', "en (default), fr or de: the seeds' header wordings", {
              type: 'string',
              enum: [...TEMPLATE_LANGUAGES],
            }),
          ],
          responses: {
            200: {
              description: 'the header line',
              content: { 'text/csv': { schema: { type: 'string' } } },
            },
            ...errors,
          },
        },
      },
      '/imports': {
        post: {
          summary: 'Upload a file for validation; nothing but the run and its report is written',
          parameters: [
            query('format', 'csv (default) or createusers', {
              type: 'string',
              enum: ['csv', 'createusers'],
            }),
            query('mode', 'for CSV files: the add or invite mode', {
              type: 'string',
              enum: [...MODE_IDS],
            }),
            query('idp', 'for CreateUsers files: enterprise (default) or builtin', {
              type: 'string',
              enum: ['enterprise', 'builtin'],
            }),
            query('fileName', 'shown in the run'),
            query('defaultEmail', 'email for rows that have none'),
            query(
              'source',
              'add-org-ids: the SAML or OpenID Connect source the IDs are linked to (by default the one of their type; required when several are configured)',
            ),
          ],
          requestBody: {
            required: true,
            content: {
              'text/csv': { schema: { type: 'string' } },
              'text/plain': { schema: { type: 'string' } },
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: {
            201: typed('the run with its validation report', importRunSchema),
            ...errors,
          },
        },
      },
      '/imports/{id}': {
        parameters: [ref('id')],
        get: {
          summary: 'An import run: report, status, progress',
          responses: { 200: typed('the run', importRunSchema), ...errors },
        },
        delete: {
          summary:
            'Discard a validated run that will not be applied, with its stored file; 409 once it is applied or applying',
          responses: { 204: { description: 'discarded' }, ...errors },
        },
      },
      '/imports/{id}/apply': {
        parameters: [
          ref('id'),
          query('wait', 'true: answer when the run is applied (200) instead of at once (202)', {
            type: 'string',
            enum: ['true', 'false'],
          }),
        ],
        post: {
          summary: 'Confirm a validated run: apply it in batches (resumes an interrupted one)',
          requestBody: body(z.object({ skipInvalid: z.boolean().optional() })),
          responses: {
            200: typed('applied', importRunSchema),
            202: typed('applying: follow its progress with GET /imports/{id}', importRunSchema),
            503: problem,
            ...errors,
          },
        },
      },
      '/invitations': {
        get: {
          summary: 'Invitations, newest first',
          parameters: [
            query('status', 'pending, accepted, expired, deleted or added'),
            query('email', 'part of the address'),
            query('source', 'sent by this directory source'),
          ],
          responses: { 200: ok('invitations'), ...errors },
        },
        post: {
          summary:
            'Invite one or many addresses (pending members, mails); the answer holds each link',
          requestBody: body(createInvitationSchema),
          responses: { 201: ok('{ items, total }'), ...errors },
        },
      },
      '/invitations/{id}': {
        parameters: [ref('id')],
        get: { summary: 'One invitation', responses: { 200: ok('the invitation'), ...errors } },
        delete: {
          summary: 'Delete a pending invitation and its pending member',
          responses: { 200: ok('the invitation'), ...errors },
        },
      },
      '/invitations/{id}/resend': {
        parameters: [ref('id')],
        post: {
          summary: 'A new link with a fresh expiry; the old link stops working',
          responses: { 200: ok('the invitation with its link'), ...errors },
        },
      },
      '/codes': {
        get: {
          summary: 'Invitation codes, newest first (never the codes themselves)',
          parameters: [
            query('status', 'valid, used, disabled or expired'),
            query('scope', 'group'),
          ],
          responses: { 200: ok('codes'), ...errors },
        },
        post: {
          summary: 'Create 1-10 codes; the answer is the only place the codes appear',
          requestBody: body(createCodesSchema),
          responses: { 201: ok('{ codes, validUntil, scope, … }'), ...errors },
        },
      },
      '/codes/{id}': {
        parameters: [ref('id')],
        get: {
          summary: 'One code, by its id (a code itself is refused: codes never go in a URL)',
          responses: { 200: ok('the code'), ...errors },
        },
      },
      '/codes/{id}/disable': {
        parameters: [ref('id')],
        post: { summary: 'Disable a code', responses: { 200: ok('the code'), ...errors } },
      },
      '/codes/copy': {
        post: {
          summary: 'The hand-over text of codes, with scope and validity date',
          requestBody: body(z.object({ codes: z.array(z.string()) })),
          responses: { 200: ok('{ text, codes }'), ...errors },
        },
      },
      '/codes/redeem': {
        post: {
          summary: 'Use a code for a member (administrators; members use POST /auth/codes/redeem)',
          requestBody: body(z.object({ code: z.string(), member: z.string() })),
          responses: { 200: ok('what was granted'), ...errors },
        },
      },
    },
  };
  return cached;
}
