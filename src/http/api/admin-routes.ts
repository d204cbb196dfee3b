import { Router } from 'express';
import { z } from 'zod';
import { requireAdministrator } from '../../access/actor.ts';
import type { AppContext } from '../../app-context.ts';
import { listAudit } from '../../audit/audit-log.ts';
import { loadCatalog } from '../../catalog/catalog-store.ts';
import { compatibleRoles } from '../../catalog/compatibility.ts';
import { createRole, deleteRole, updateRole } from '../../catalog/role-service.ts';
import { createApiKey, deleteApiKey, getApiKey, listApiKeys } from '../../keys/api-keys.ts';
import {
  createOrganization,
  findOrganization,
  listOrganizations,
} from '../../orgs/organizations.ts';
import { updateOrganization } from '../../org-settings/organization-settings.ts';
import { createResource, getResource, listResources } from '../../resources/resources.ts';
import { listProvisioning, provisioningQuery } from '../../scim/provisioning-log.ts';
import { pageNumber, parseInput } from '../../validation.ts';
import { scopeOf } from '../authenticate.ts';
import { organizationSchema } from './organization-schemas.ts';

const auditQuery = (max: number) =>
  z
    .object({
      action: z.string().min(1).optional(),
      targetId: z.string().min(1).optional(),
      actorId: z.string().min(1).optional(),
      actor: z.string().min(1).max(200).optional(),
      targetType: z.string().min(1).max(100).optional(),
      since: z.coerce.date().optional(),
      until: z.coerce.date().optional(),
      page: pageNumber,
      pageSize: z.coerce.number().int().min(1).max(max).default(50),
    })
    .strict();

/** Organization, catalog, API keys, owned resources and the audit log. */
export function adminRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;
  const max = ctx.config.api.maxPageSize;

  router.get('/organization', async (_req, res) => {
    res.json(organizationSchema.parse(await findOrganization(db, scopeOf(res).orgId)));
  });
  router.patch('/organization', async (req, res) => {
    res.json(organizationSchema.parse(await updateOrganization(db, scopeOf(res), req.body)));
  });
  router.get('/organizations', async (_req, res) => {
    requireAdministrator(scopeOf(res).actor, 'listing every organization');
    const items = await listOrganizations(db);
    res.json({ items, total: items.length });
  });
  router.post('/organizations', async (req, res) => {
    const org = await createOrganization(db, scopeOf(res).actor, req.body);
    res.status(201).json(org);
  });

  router.get('/user-types', async (_req, res) => {
    const { userTypes, roles } = await loadCatalog(db, scopeOf(res).orgId);
    const items = userTypes.map((t) => ({
      ...t,
      compatibleRoles: compatibleRoles(roles, t).map((r) => r.name),
    }));
    res.json({ items, total: items.length });
  });
  router.get('/roles', async (_req, res) => {
    const { roles } = await loadCatalog(db, scopeOf(res).orgId);
    res.json({ items: roles, total: roles.length });
  });
  router.post('/roles', async (req, res) => {
    res.status(201).json(await createRole(db, scopeOf(res), req.body));
  });
  router.patch('/roles/:ref', async (req, res) => {
    res.json(await updateRole(db, scopeOf(res), req.params.ref, req.body));
  });
  router.delete('/roles/:ref', async (req, res) => {
    res.json(await deleteRole(db, scopeOf(res), req.params.ref));
  });

  router.get('/keys', async (_req, res) => {
    res.json(await listApiKeys(db, scopeOf(res).orgId));
  });
  router.post('/keys', async (req, res) => {
    const key = await createApiKey(db, scopeOf(res), req.body);
    res
      .status(201)
      .location(`${req.baseUrl}/keys/${key.id}`)
      .set('Cache-Control', 'no-store')
      .json(key);
  });
  router.get('/keys/:id', async (req, res) => {
    res.json(await getApiKey(db, scopeOf(res).orgId, req.params.id));
  });
  router.delete('/keys/:id', async (req, res) => {
    const input = req.body && Object.keys(req.body).length > 0 ? req.body : { ...req.query };
    res.json(await deleteApiKey(db, scopeOf(res), req.params.id, input));
  });

  router.get('/resources', async (req, res) => {
    const { owner } = parseInput(z.object({ owner: z.string().optional() }).strict(), req.query);
    res.json(await listResources(db, scopeOf(res).orgId, owner));
  });
  router.post('/resources', async (req, res) => {
    res.status(201).json(await createResource(db, scopeOf(res), req.body));
  });
  router.get('/resources/:id', async (req, res) => {
    res.json(await getResource(db, scopeOf(res).orgId, req.params.id));
  });

  router.get('/scim/log', async (req, res) => {
    const q = parseInput(provisioningQuery(max), req.query);
    res.json(await listProvisioning(db, scopeOf(res).orgId, q));
  });

  router.get('/audit', async (req, res) => {
    const q = parseInput(auditQuery(max), req.query);
    const result = await listAudit(db, scopeOf(res).orgId, {
      ...q,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    });
    res.json({ ...result, page: q.page, pageSize: q.pageSize });
  });
  return router;
}
