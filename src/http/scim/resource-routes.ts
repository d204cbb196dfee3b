import type { Request, Response, Router } from 'express';
import type { ListParams } from '../../scim/list-params.ts';
import type { Projection } from '../../scim/projection.ts';
import type { ScimContext } from '../../scim/scim-users.ts';
import { etagOf } from '../../scim/user-document.ts';
import { notModified } from '../../scim/versions.ts';
import { send } from './scim-response.ts';

// The routes every SCIM resource type answers (RFC 7644 §3.2–3.6): list and search, create, read
// (with If-None-Match), replace, modify and delete, each handing the request to its use case.

type Json = Record<string, unknown>;

/** How the router reads a request: its context, list parameters, bodies and projection. */
export interface ResourceRequests {
  ctx: (req: Request, res: Response) => ScimContext;
  params: (input: Json) => ListParams;
  searchBody: (body: unknown) => Json;
  body: (req: Request) => Json;
  projection: (req: Request) => Projection;
}

interface ResourceOperations {
  list: (c: ScimContext, p: ListParams) => Promise<Json>;
  create: (c: ScimContext, body: Json) => Promise<{ resource: Json; version: number }>;
  get: (c: ScimContext, id: string, p: Projection) => Promise<{ resource: Json; version: number }>;
  replace: (
    c: ScimContext,
    id: string,
    body: Json,
    ifMatch: string | undefined,
  ) => Promise<{ resource: Json; version: number }>;
  /** Without a resource in its answer, the change is answered 204 No Content. */
  patch: (
    c: ScimContext,
    req: Request,
  ) => Promise<{ resource?: Json | undefined; version: number }>;
  remove: (c: ScimContext, id: string, ifMatch: string | undefined) => Promise<unknown>;
}

export function mountResource(
  router: Router,
  path: string,
  read: ResourceRequests,
  ops: ResourceOperations,
): void {
  router.get(path, async (req, res) =>
    send(res, 200, await ops.list(read.ctx(req, res), read.params(req.query as Json))),
  );
  router.post(`${path}/.search`, async (req, res) =>
    send(res, 200, await ops.list(read.ctx(req, res), read.params(read.searchBody(req.body)))),
  );
  router.post(path, async (req, res) => {
    const { resource, version } = await ops.create(read.ctx(req, res), read.body(req));
    res.location(String((resource.meta as Json).location));
    send(res, 201, resource, version);
  });
  router.get(`${path}/:id`, async (req, res) => {
    const { resource, version } = await ops.get(
      read.ctx(req, res),
      String(req.params.id),
      read.projection(req),
    );
    if (notModified(req.get('if-none-match'), version))
      return send(res.set('ETag', etagOf(version)), 304);
    send(res, 200, resource, version);
  });
  router.put(`${path}/:id`, async (req, res) => {
    const { resource, version } = await ops.replace(
      read.ctx(req, res),
      String(req.params.id),
      read.body(req),
      req.get('if-match'),
    );
    send(res, 200, resource, version);
  });
  router.patch(`${path}/:id`, async (req, res) => {
    const { resource, version } = await ops.patch(read.ctx(req, res), req);
    if (resource === undefined) return send(res, 204, undefined, version);
    send(res, 200, resource, version);
  });
  router.delete(`${path}/:id`, async (req, res) => {
    await ops.remove(read.ctx(req, res), String(req.params.id), req.get('if-match'));
    send(res, 204);
  });
}
