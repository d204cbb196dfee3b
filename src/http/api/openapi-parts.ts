import { z } from 'zod';

// Shared pieces of the OpenAPI 3.1 document of /api/v1. Request bodies come from the same zod
// schemas the handlers validate with, so the document cannot drift from what is accepted.

export const body = (schema: z.ZodType) => ({
  required: true,
  content: {
    'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
  },
});

export const problem = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
export const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };
export const ok = (description: string, schema: object = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});
export const typed = (description: string, schema: z.ZodType) =>
  ok(description, z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }));
export const list = (item: string) =>
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
export const ref = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'id (uuid) or name',
});
export const query = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
export const paging = [
  query('page', '1-based page', { type: 'integer', minimum: 1 }),
  query('pageSize', 'items per page', { type: 'integer', minimum: 1 }),
];
export const transferTo = query(
  'transferTo',
  'member (id or username) who receives what is owned; without it, owned resources are deleted',
);

export const simpleObject = (properties: Record<string, object>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

let _cached: object | undefined;
