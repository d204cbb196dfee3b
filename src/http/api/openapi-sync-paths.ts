import { addBody, provisionBody, syncBody } from './sync-routes.ts';
import { body, errors, list, ok, paging, problem, query, ref } from './openapi-parts.ts';

// The OpenAPI paths of identity sources and their sync runs.

export function syncPaths(): Record<string, object> {
  return {
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
  };
}
