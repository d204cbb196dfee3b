import { COUNT_KEYS } from '../../sync/sync-types.ts';

// The typed answers of the sources and sync-run endpoints (GET /sources, /runs, /runs/{id}), as
// sync-runs.ts and source-admin.ts build them: the console and scripts read them from here.

const nullable = (type: string) => ({ type: [type, 'null'] });
const counts = {
  type: 'object',
  properties: Object.fromEntries(COUNT_KEYS.map((k) => [k, { type: 'integer' }])),
};
const attributeChange = {
  type: 'object',
  properties: { field: { type: 'string' }, before: nullable('string'), after: nullable('string') },
};

const syncRun = {
  type: 'object',
  properties: {
    id: { ...nullable('string'), description: 'null for a preview, which records nothing' },
    source: { type: 'string' },
    mode: { enum: ['full', 'incremental'] },
    status: { enum: ['running', 'succeeded', 'failed', 'held', 'approved', 'rejected', 'preview'] },
    trigger: { enum: ['cli', 'api', 'schedule'] },
    counts,
    samples: {
      type: 'object',
      description: 'the first changes of each kind, by login (or group name)',
      additionalProperties: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            action: { type: 'string' },
            externalId: { type: 'string' },
            name: { type: 'string' },
            detail: { type: 'string' },
            attributes: { type: 'array', items: attributeChange },
          },
        },
      },
    },
    held: { type: 'integer', description: 'removals held by the deletion guard' },
    error: nullable('string'),
    tokenBefore: nullable('string'),
    tokenAfter: nullable('string'),
    decidedBy: nullable('string'),
    decidedAt: nullable('string'),
    withheld: {
      type: 'integer',
      description: 'removals left alone while an earlier run of the source is held',
    },
    withheldFor: nullable('string'),
    decision: {
      type: ['object', 'null'],
      properties: { applied: { type: 'integer' }, returned: { type: 'integer' } },
    },
    startedAt: { type: 'string' },
    finishedAt: nullable('string'),
    durationMs: nullable('integer'),
  },
};

const source = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    flavor: nullable('string'),
    url: nullable('string'),
    schedule: { type: ['object', 'null'] },
    capabilities: {
      type: 'array',
      items: { enum: ['test', 'readAll', 'readChanges', 'search', 'authenticate'] },
    },
    token: nullable('string'),
    lastRun: { oneOf: [{ $ref: '#/components/schemas/SyncRun' }, { type: 'null' }] },
    health: {
      type: 'object',
      properties: {
        state: { enum: ['healthy', 'backing-off', 'quarantined'] },
        failures: { type: 'integer' },
        retryAfter: nullable('string'),
        quarantinedAt: nullable('string'),
        lastError: nullable('string'),
        lastErrorCode: nullable('string'),
        lastFailureAt: nullable('string'),
      },
    },
    heldRun: {
      type: ['object', 'null'],
      properties: {
        id: { type: 'string' },
        removals: { type: 'integer' },
        startedAt: { type: 'string' },
      },
    },
  },
};

export const syncSchemas = { SyncRun: syncRun, Source: source };
