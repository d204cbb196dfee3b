import { MODE_IDS, TEMPLATE_LANGUAGES } from '../../import/import-modes.ts';
import { importModesSchema, importRunSchema } from './import-schemas.ts';
import { body, errors, problem, query, ref, typed } from './openapi-parts.ts';
import { z } from 'zod';

// The OpenAPI paths of bulk imports: modes, templates, validation runs and their apply.

export function importPaths(): Record<string, object> {
  return {
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
          query('language', "en (default), fr or de: the administrators' guides' header wordings", {
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
  };
}
