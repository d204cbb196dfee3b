import { BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA, type ScimLimits } from './scim-schemas.ts';
import { ScimError, invalidSyntax, invalidValue, scimErrorOf } from './scim-error.ts';
import { createGroup, deleteGroup, patchGroup, replaceGroup } from './scim-groups.ts';
import { deleteUser, patchUser, replaceUser, type ScimContext } from './scim-users.ts';
import { createUser } from './user-create.ts';
import { etagOf } from './user-document.ts';
import { attributeNames, type BulkOperationEntry } from './provisioning-log.ts';

// Bulk (RFC 7644 §3.7): operations run in order, each in its own transaction; a later operation
// may reference a resource created earlier as "bulkId:<id>"; failOnErrors stops the run. Each
// operation is reported to the caller for the provisioning log, as a single write would be.

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface Outcome {
  id?: string;
  resourceType: 'Users' | 'Groups';
  status: number;
  version?: number;
}

/** Replaces "bulkId:x" strings anywhere in the value with the ids created so far. */
function resolveBulkIds(value: unknown, created: Map<string, string>): unknown {
  if (typeof value === 'string' && value.startsWith('bulkId:')) {
    const id = created.get(value.slice('bulkId:'.length));
    if (!id)
      throw new ScimError(
        409,
        'invalidValue',
        `${value} refers to no resource created earlier in this request`,
      );
    return id;
  }
  if (Array.isArray(value)) return value.map((v) => resolveBulkIds(v, created));
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveBulkIds(v, created)]),
    );
  return value;
}

async function runOperation(
  ctx: ScimContext,
  method: string,
  path: string,
  data: unknown,
  version: string | undefined,
): Promise<Outcome> {
  const match = /^\/(Users|Groups)(?:\/([^/]+))?$/.exec(path);
  if (!match)
    throw invalidValue(`path must be /Users, /Groups, /Users/{id} or /Groups/{id} (got ${path})`);
  const resourceType = match[1] as 'Users' | 'Groups';
  const id = match[2];
  const users = resourceType === 'Users';
  if (method === 'POST' && !id) {
    if (!isObject(data)) throw invalidSyntax('data must be an object');
    const { resource, version: v } = users
      ? await createUser(ctx, data)
      : await createGroup(ctx, data);
    return { id: String(resource.id), resourceType, status: 201, version: v };
  }
  if (!id) throw invalidValue(`${method} needs a resource id in the path`);
  if (method === 'PUT') {
    if (!isObject(data)) throw invalidSyntax('data must be an object');
    const { version: v } = users
      ? await replaceUser(ctx, id, data, version)
      : await replaceGroup(ctx, id, data, version);
    return { id, resourceType, status: 200, version: v };
  }
  if (method === 'PATCH') {
    const { version: v } = users
      ? await patchUser(ctx, id, data, version)
      : await patchGroup(ctx, id, data, version);
    return { id, resourceType, status: 200, version: v };
  }
  if (method === 'DELETE') {
    await (users ? deleteUser(ctx, id, version) : deleteGroup(ctx, id, version));
    return { id, resourceType, status: 204 };
  }
  throw invalidValue(`method must be POST, PUT, PATCH or DELETE (got ${method})`);
}

const OPERATIONS: Record<string, BulkOperationEntry['operation']> = {
  POST: 'create',
  PUT: 'replace',
  PATCH: 'update',
  DELETE: 'delete',
};

/** What the provisioning log keeps of one operation: never the values it sent. */
function logEntry(
  method: string,
  op: Json,
  status: number,
  targetId: string | undefined,
  detail: string | null,
): BulkOperationEntry {
  const path = typeof op.path === 'string' ? op.path : '';
  const groups = /^\/Groups\b/.test(path);
  return {
    method: method || '?',
    operation: OPERATIONS[method] ?? 'bulk',
    resourceType: groups ? 'Group' : /^\/Users\b/.test(path) ? 'User' : 'Bulk',
    targetId: targetId ?? null,
    status,
    attributes: attributeNames(method, op.data),
    detail,
    path: path || null,
    bulkId: typeof op.bulkId === 'string' ? op.bulkId : null,
  };
}

export interface BulkHooks {
  /** An operation failed for a reason that is not the client's: for the daemon log. */
  error(error: unknown): void;
  /** Each operation run, in order, for the provisioning log. */
  operation(entry: BulkOperationEntry): void;
}

export async function runBulk(
  ctx: ScimContext,
  body: unknown,
  limits: ScimLimits,
  hooks: BulkHooks,
): Promise<Json> {
  if (
    !isObject(body) ||
    !Array.isArray(body.schemas) ||
    !body.schemas.includes(BULK_REQUEST_SCHEMA)
  ) {
    throw invalidSyntax(
      `the body must be a BulkRequest with schemas containing ${BULK_REQUEST_SCHEMA}`,
    );
  }
  const operations = body.Operations;
  if (!Array.isArray(operations)) throw invalidSyntax('Operations must be an array');
  if (operations.length > limits.bulkMaxOperations) {
    throw new ScimError(
      413,
      'tooLarge',
      `the request has ${operations.length} operations; at most ${limits.bulkMaxOperations} are accepted`,
    );
  }
  const failOnErrors = body.failOnErrors === undefined ? Infinity : Number(body.failOnErrors);
  if (!Number.isInteger(failOnErrors) && failOnErrors !== Infinity)
    throw invalidValue('failOnErrors must be an integer');
  const created = new Map<string, string>();
  const results: Json[] = [];
  let errors = 0;
  for (const raw of operations) {
    if (errors >= failOnErrors) break;
    const op = isObject(raw) ? raw : {};
    const method = String(op.method ?? '').toUpperCase();
    const bulkId = typeof op.bulkId === 'string' ? op.bulkId : undefined;
    let path: string | undefined;
    try {
      if (method === 'POST' && !bulkId) throw invalidValue('a POST operation needs a bulkId');
      path = String(op.path ?? '').replace(/bulkId:([^/]+)/, (ref) =>
        String(resolveBulkIds(ref, created)),
      );
      const outcome = await runOperation(
        ctx,
        method,
        path,
        resolveBulkIds(op.data, created),
        typeof op.version === 'string' ? op.version : undefined,
      );
      if (bulkId && outcome.id) created.set(bulkId, outcome.id);
      hooks.operation(logEntry(method, op, outcome.status, outcome.id, null));
      results.push({
        method,
        ...(bulkId && { bulkId }),
        status: String(outcome.status),
        ...(outcome.id &&
          outcome.status !== 204 && {
            location: `${ctx.base}/${outcome.resourceType}/${outcome.id}`,
          }),
        ...(outcome.version !== undefined && { version: etagOf(outcome.version) }),
      });
    } catch (error) {
      const scim = scimErrorOf(error);
      if (!scim) hooks.error(error);
      const failure =
        scim ?? new ScimError(500, undefined, 'the operation failed; see the daemon log');
      errors += 1;
      const target = path ? /^\/(?:Users|Groups)\/([^/]+)$/.exec(path)?.[1] : undefined;
      hooks.operation(logEntry(method, op, failure.status, target, failure.message));
      results.push({
        method,
        ...(bulkId && { bulkId }),
        status: String(failure.status),
        response: failure.body(),
      });
    }
  }
  return { schemas: [BULK_RESPONSE_SCHEMA], Operations: results };
}
