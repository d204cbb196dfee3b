import type { IncomingMessage } from 'node:http';
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { Scope } from '../../access/actor.ts';
import type { AppContext } from '../../app-context.ts';
import { RateLimitedError, UnauthorizedError } from '../../errors.ts';
import { authenticateApiKey } from '../../keys/api-keys.ts';
import { findOrganization } from '../../orgs/organizations.ts';
import { type ListParams, parseListParams } from '../../scim/list-params.ts';
import { parseProjection } from '../../scim/projection.ts';
import {
  attributeNames,
  type BulkOperationEntry,
  type ProvisioningEntry,
} from '../../scim/provisioning-log.ts';
import { runBulk } from '../../scim/scim-bulk.ts';
import { ScimError, invalidSyntax, scimErrorOf } from '../../scim/scim-error.ts';
import {
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  patchGroup,
  replaceGroup,
} from '../../scim/scim-groups.ts';
import {
  LIST_SCHEMA,
  SEARCH_SCHEMA,
  resourceTypes,
  schemaResources,
  serviceProviderConfig,
} from '../../scim/scim-schemas.ts';
import { createUser } from '../../scim/user-create.ts';
import {
  deleteUser,
  getUser,
  listUsers,
  patchUser,
  replaceUser,
  type ScimContext,
} from '../../scim/scim-users.ts';
import { inputLimits, jsonBody, requestGuard } from '../input/request-guard.ts';
import { type ResourceRequests, mountResource } from './resource-routes.ts';
import { send } from './scim-response.ts';

// /scim/v2: thin handlers over the SCIM use cases. The API key decides the organization; every
// answer is application/scim+json; every error is a SCIM error.

type Json = Record<string, unknown>;

const OPERATIONS: Record<string, ProvisioningEntry['operation']> = {
  POST: 'create',
  PUT: 'replace',
  PATCH: 'update',
  DELETE: 'delete',
};

/** A Bulk request's own entry says how its operations went; each has an entry of its own. */
function bulkSummary(operations: BulkOperationEntry[]): string {
  const failed = operations.filter((op) => op.status >= 400).length;
  return `${operations.length} operation${operations.length === 1 ? '' : 's'} run, ${failed} failed`;
}

/** Records every SCIM write once answered, whatever the outcome, in the provisioning log. */
function provisioningLog(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // Express routes without regard to case, so /users is logged as /Users is.
    const match = /^\/(Users|Groups|Bulk)(?:\/([^/]+))?\/?$/i.exec(req.path);
    const operation = OPERATIONS[req.method];
    if (!match || !operation || match[2] === '.search') {
      next();
      return;
    }
    const scope = res.locals.scope as Scope;
    const endpoint = match[1]!.toLowerCase();
    const resourceType = endpoint === 'users' ? 'User' : endpoint === 'groups' ? 'Group' : 'Bulk';
    const operations: BulkOperationEntry[] = [];
    res.locals.bulkOperations = operations;
    res.on('finish', () => {
      const created = res.get('Location')?.split('/').pop();
      const bulk = resourceType === 'Bulk';
      const detail = (res.locals.scimDetail as string | undefined) ?? null;
      const entry: ProvisioningEntry = {
        orgId: scope.orgId,
        keyId: scope.actor.id,
        keyTitle: scope.actor.label,
        method: req.method,
        operation: bulk ? 'bulk' : operation,
        resourceType,
        targetId: match[2] ?? created ?? null,
        status: res.statusCode,
        attributes: bulk ? [] : attributeNames(req.method, req.body),
        detail: detail ?? (bulk ? bulkSummary(operations) : null),
      };
      ctx.provisioningLog.record(entry, operations);
    });
    next();
  };
}

/**
 * SCIM bodies are application/scim+json or application/json (RFC 7644 §3.1, §8.1). A body sent
 * with no Content-Type at all (Okta's spec test posts users so) is read as JSON too, which RFC
 * 9110 §8.3 allows; any other declared type is left unread and refused by the handler.
 */
function scimBodyType(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === '' || type === 'application/scim+json' || type === 'application/json';
}

/** The methods each endpoint answers; any other is 405 with Allow, before the body is read. */
const METHODS: Array<[RegExp, string[]]> = [
  [/^\/(ServiceProviderConfig|ResourceTypes|Schemas)(\/[^/]+)?\/?$/i, ['GET']],
  [/^\/(Users|Groups)\/\.search\/?$/i, ['POST']],
  [/^\/\.search\/?$/, ['POST']],
  [/^\/Bulk\/?$/i, ['POST']],
  [/^\/(Users|Groups)\/?$/i, ['GET', 'POST']],
  [/^\/(Users|Groups)\/[^/]+\/?$/i, ['GET', 'PUT', 'PATCH', 'DELETE']],
];

function allowedMethods(req: Request, res: Response, next: NextFunction): void {
  const allowed = METHODS.find(([pattern]) => pattern.test(req.path))?.[1];
  const allow = allowed?.includes('GET') ? [...allowed, 'HEAD'] : allowed;
  if (!allow || allow.includes(req.method)) {
    next();
    return;
  }
  res.set('Allow', allow.join(', '));
  send(
    res,
    405,
    new ScimError(
      405,
      undefined,
      `${req.path} answers ${allow.join(', ')}, not ${req.method}`,
    ).body(),
  );
}

export function scimRouter(ctx: AppContext): Router {
  const router = Router();
  const limits = ctx.config.scim;
  const base = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}`;
  const scimCtx = (req: Request, res: Response): ScimContext => ({
    db: ctx.database.knex,
    hasher: ctx.hasher,
    scope: res.locals.scope as Scope,
    base: base(req),
  });

  router.use(allowedMethods);
  router.use(
    requestGuard(inputLimits(ctx)),
    jsonBody(inputLimits(ctx), {
      limit: limits.bulkMaxPayloadSize,
      type: scimBodyType,
    }),
  );

  // Discovery needs no key (RFC 7644 §4): clients read it before they are configured.
  // Its changePassword follows the organization of the key sent, if any, else the default one.
  router.get('/ServiceProviderConfig', async (req, res) => {
    const secret = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const orgId = secret
      ? await authenticateApiKey(ctx.database.knex, secret, 'scim').then(
          (scope) => scope.orgId,
          () => ctx.defaultOrgId,
        )
      : ctx.defaultOrgId;
    const org = await findOrganization(ctx.database.knex, orgId);
    send(res, 200, serviceProviderConfig(base(req), limits, org.scimPasswordPush));
  });
  router.get('/ResourceTypes', (req, res) => {
    const items = resourceTypes(base(req));
    send(res, 200, {
      schemas: [LIST_SCHEMA],
      totalResults: items.length,
      startIndex: 1,
      itemsPerPage: items.length,
      Resources: items,
    });
  });
  router.get('/ResourceTypes/:id', (req, res) => {
    const found = resourceTypes(base(req)).find((t) => t.id === req.params.id);
    if (!found) throw new ScimError(404, undefined, `no resource type ${req.params.id}`);
    send(res, 200, found);
  });
  router.get('/Schemas', (req, res) => {
    const items = schemaResources(base(req));
    send(res, 200, {
      schemas: [LIST_SCHEMA],
      totalResults: items.length,
      startIndex: 1,
      itemsPerPage: items.length,
      Resources: items,
    });
  });
  router.get('/Schemas/:id', (req, res) => {
    const found = schemaResources(base(req)).find((s) => s.id === req.params.id);
    if (!found) throw new ScimError(404, undefined, `no schema ${req.params.id}`);
    send(res, 200, found);
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!match)
      throw new UnauthorizedError(
        'send an API key of the organization as "Authorization: Bearer <secret>"',
      );
    res.locals.scope = await authenticateApiKey(ctx.database.knex, match[1]!, 'scim');
    next();
  });
  router.use(provisioningLog(ctx));

  const params = (input: Json): ListParams => parseListParams(input, limits.maxResults);
  const searchBody = (body: unknown): Json => {
    if (
      typeof body !== 'object' ||
      body === null ||
      !Array.isArray((body as Json).schemas) ||
      !((body as Json).schemas as unknown[]).includes(SEARCH_SCHEMA)
    ) {
      throw invalidSyntax(
        `the body must be a SearchRequest with schemas containing ${SEARCH_SCHEMA}`,
      );
    }
    return body as Json;
  };
  const projection = (req: Request) =>
    parseProjection(req.query.attributes, req.query.excludedAttributes);
  const body = (req: Request): Json => {
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))
      throw invalidSyntax('the body must be a JSON object');
    return req.body as Json;
  };

  const requests: ResourceRequests = { ctx: scimCtx, params, searchBody, body, projection };
  mountResource(router, '/Users', requests, {
    list: listUsers,
    create: createUser,
    get: getUser,
    replace: replaceUser,
    patch: (c, req) => patchUser(c, String(req.params.id), req.body, req.get('if-match')),
    remove: deleteUser,
  });
  mountResource(router, '/Groups', requests, {
    list: listGroups,
    create: createGroup,
    get: getGroup,
    replace: replaceGroup,
    patch: async (c, req) => {
      const id = String(req.params.id);
      const { version } = await patchGroup(c, id, req.body, req.get('if-match'));
      // The group is returned only when asked for (attributes=…): a large group is not re-read.
      if (req.query.attributes === undefined) return { version };
      return { version, resource: (await getGroup(c, id, projection(req))).resource };
    },
    remove: deleteGroup,
  });

  router.post('/.search', async (req, res) => {
    // A search at the root spans Users, then Groups, as one list.
    const search = params(searchBody(req.body));
    const c = scimCtx(req, res);
    const everything = { ...search, startIndex: 1, count: search.startIndex - 1 + search.count };
    const [users, groups] = await Promise.all([
      listUsers(c, everything),
      listGroups(c, everything),
    ]);
    const all = [...(users.Resources as Json[]), ...(groups.Resources as Json[])].slice(
      search.startIndex - 1,
      search.startIndex - 1 + search.count,
    );
    send(res, 200, {
      schemas: [LIST_SCHEMA],
      totalResults: Number(users.totalResults) + Number(groups.totalResults),
      startIndex: search.startIndex,
      itemsPerPage: all.length,
      Resources: all,
    });
  });

  router.post('/Bulk', async (req, res) => {
    send(
      res,
      200,
      await runBulk(scimCtx(req, res), req.body, limits, {
        error: (error) => ctx.log.error({ err: error }, 'SCIM bulk operation failed'),
        operation: (entry) => (res.locals.bulkOperations as BulkOperationEntry[]).push(entry),
      }),
    );
  });

  router.use((req: Request) => {
    throw new ScimError(404, undefined, `no SCIM endpoint ${req.method} ${req.path}`);
  });
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const type = (error as { type?: string }).type;
    let scim = scimErrorOf(error);
    if (!scim && type === 'entity.parse.failed') scim = invalidSyntax('the body is not valid JSON');
    if (!scim && type === 'entity.too.large')
      scim = new ScimError(
        413,
        'tooLarge',
        `the body is larger than ${limits.bulkMaxPayloadSize} bytes (maxPayloadSize)`,
      );
    const status = (error as { status?: unknown }).status;
    if (!scim && typeof status === 'number' && status >= 400 && status < 500)
      scim = new ScimError(
        status,
        status === 400 ? 'invalidSyntax' : undefined,
        (error as Error).message,
      );
    if (!scim) {
      ctx.log.error({ err: error, method: req.method, path: req.path }, 'SCIM request failed');
      scim = new ScimError(500, undefined, 'the request failed; see the daemon log');
    }
    if (scim.status === 401) res.set('WWW-Authenticate', 'Bearer realm="provisiond"');
    if (error instanceof RateLimitedError) res.set('Retry-After', String(error.retryAfterSeconds));
    res.locals.scimDetail = scim.message;
    send(res, scim.status, scim.body());
  });
  return router;
}
