import type { Knex } from 'knex';
import { z } from 'zod';
import { PATCH_SCHEMA } from './scim-schemas.ts';

// The provisioning log: every SCIM write with the key that made it, what it asked for (the names of
// the attributes it touched, never their values), and the answer's status. Pruned past the
// configured retention.

export interface ProvisioningEntry {
  orgId: string;
  keyId: string | null;
  keyTitle: string | null;
  method: string;
  operation: 'create' | 'replace' | 'update' | 'delete' | 'bulk';
  resourceType: 'User' | 'Group' | 'Bulk';
  targetId: string | null;
  status: number;
  attributes: string[];
  detail: string | null;
}

export interface ProvisioningRecord extends Omit<ProvisioningEntry, 'orgId'> {
  id: number;
  at: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The attribute names a SCIM write names: body keys, or the paths and keys of PATCH operations. */
export function attributeNames(method: string, body: unknown): string[] {
  if (!isObject(body)) return [];
  const names = new Set<string>();
  const add = (key: string) => {
    if (key !== 'schemas' && key.length <= 200) names.add(key);
  };
  if (method === 'PATCH' && Array.isArray(body.schemas) && body.schemas.includes(PATCH_SCHEMA)) {
    const operations = Array.isArray(body.Operations) ? body.Operations : [];
    for (const op of operations.slice(0, 100)) {
      if (!isObject(op)) continue;
      if (typeof op.path === 'string' && op.path !== '') add(op.path);
      else if (isObject(op.value)) for (const key of Object.keys(op.value)) add(key);
    }
  } else {
    for (const key of Object.keys(body)) add(key);
  }
  return [...names].slice(0, 100);
}

export async function recordProvisioning(db: Knex, entry: ProvisioningEntry): Promise<void> {
  await db('scim_provisioning_log').insert({
    org_id: entry.orgId,
    key_id: entry.keyId,
    key_title: entry.keyTitle,
    method: entry.method,
    operation: entry.operation,
    resource_type: entry.resourceType,
    target_id: entry.targetId,
    status: entry.status,
    attributes: entry.attributes,
    detail: entry.detail?.slice(0, 1000) ?? null,
  });
}

/** Deletes entries older than the retention, for every organization. */
export const provisioningQuery = (maxPageSize: number) =>
  z
    .object({
      keyId: z.uuid().optional(),
      targetId: z.string().min(1).max(200).optional(),
      operation: z.enum(['create', 'replace', 'update', 'delete', 'bulk']).optional(),
      resourceType: z.enum(['User', 'Group', 'Bulk']).optional(),
      outcome: z.enum(['success', 'failure']).optional(),
      status: z.coerce.number().int().min(100).max(599).optional(),
      since: z.coerce.date().optional(),
      until: z.coerce.date().optional(),
      page: z.coerce.number().int().min(1).default(1),
      pageSize: z.coerce.number().int().min(1).max(maxPageSize).default(50),
    })
    .strict();

export async function listProvisioning(
  db: Knex,
  orgId: string,
  q: z.infer<ReturnType<typeof provisioningQuery>>,
): Promise<{ items: ProvisioningRecord[]; total: number; page: number; pageSize: number }> {
  const base = db('scim_provisioning_log').where('org_id', orgId);
  if (q.keyId) base.andWhere('key_id', q.keyId);
  if (q.targetId) base.andWhere('target_id', q.targetId);
  if (q.operation) base.andWhere('operation', q.operation);
  if (q.resourceType) base.andWhere('resource_type', q.resourceType);
  if (q.status) base.andWhere('status', q.status);
  if (q.outcome === 'success') base.andWhere('status', '<', 400);
  if (q.outcome === 'failure') base.andWhere('status', '>=', 400);
  if (q.since) base.andWhere('at', '>=', q.since);
  if (q.until) base.andWhere('at', '<', q.until);
  const [rows, counted] = await Promise.all([
    base
      .clone()
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .select('*'),
    base.clone().count({ n: '*' }),
  ]);
  return {
    items: (rows as Json[]).map((r) => ({
      id: Number(r.id),
      at: new Date(r.at as string).toISOString(),
      keyId: (r.key_id as string | null) ?? null,
      keyTitle: (r.key_title as string | null) ?? null,
      method: r.method as string,
      operation: r.operation as ProvisioningRecord['operation'],
      resourceType: r.resource_type as ProvisioningRecord['resourceType'],
      targetId: (r.target_id as string | null) ?? null,
      status: Number(r.status),
      attributes: r.attributes as string[],
      detail: (r.detail as string | null) ?? null,
    })),
    total: Number((counted[0] as { n: number | string } | undefined)?.n ?? 0),
    page: q.page,
    pageSize: q.pageSize,
  };
}
