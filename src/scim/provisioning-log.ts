import type { Knex } from 'knex';
import { z } from 'zod';
import { PATCH_SCHEMA } from './scim-schemas.ts';

// The provisioning log: every SCIM write with the key that made it, what it asked for (the names of
// the attributes it touched, never their values), and the answer's status. A Bulk request is one
// entry for the request and one per operation, linked to it. Pruned past the configured retention.

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
  /** For an operation of a Bulk request: the path it named and its bulkId, as sent. */
  path?: string | null;
  bulkId?: string | null;
}

/** One operation of a Bulk request, logged under the request's entry. */
export type BulkOperationEntry = Omit<ProvisioningEntry, 'orgId' | 'keyId' | 'keyTitle'>;

declare module '../store/tables/column-types.ts' {
  interface ColumnTypes {
    'scim_provisioning_log.operation': ProvisioningEntry['operation'];
    'scim_provisioning_log.resource_type': ProvisioningEntry['resourceType'];
  }
}

export interface ProvisioningRecord extends Omit<ProvisioningEntry, 'orgId'> {
  id: number;
  at: string;
  path: string | null;
  bulkId: string | null;
  /** The entry of the Bulk request this operation was part of. */
  bulkEntryId: number | null;
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

const row = (entry: ProvisioningEntry, bulkEntryId: number | null) => ({
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
  path: entry.path?.slice(0, 1000) ?? null,
  bulk_id: entry.bulkId?.slice(0, 200) ?? null,
  bulk_entry_id: bulkEntryId,
});

/** Records entries that carry no operations, all in one statement. */
export async function insertProvisioningEntries(
  db: Knex,
  entries: ProvisioningEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await db('scim_provisioning_log').insert(entries.map((entry) => row(entry, null)));
}

/** Records a Bulk request and its operations, under the request's entry. */
export async function recordBulkProvisioning(
  db: Knex,
  entry: ProvisioningEntry,
  operations: BulkOperationEntry[],
): Promise<void> {
  await db.transaction(async (trx) => {
    const [inserted] = await trx('scim_provisioning_log')
      .insert(row(entry, null))
      .returning<{ id: number | string }[]>('id');
    const bulkEntryId = Number(inserted!.id);
    await trx('scim_provisioning_log').insert(
      operations.map((op) =>
        row(
          { ...op, orgId: entry.orgId, keyId: entry.keyId, keyTitle: entry.keyTitle },
          bulkEntryId,
        ),
      ),
    );
  });
}

/** The filters of the listing; `bulkEntryId` lists the operations of one Bulk request. */
export const provisioningQuery = (maxPageSize: number) =>
  z
    .object({
      keyId: z.uuid().optional(),
      targetId: z.string().min(1).max(200).optional(),
      bulkEntryId: z.coerce.number().int().min(1).optional(),
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
  if (q.bulkEntryId) base.andWhere('bulk_entry_id', q.bulkEntryId);
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
    items: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      keyId: r.key_id,
      keyTitle: r.key_title,
      method: r.method,
      operation: r.operation,
      resourceType: r.resource_type,
      targetId: r.target_id,
      status: r.status,
      attributes: r.attributes,
      detail: r.detail,
      path: r.path,
      bulkId: r.bulk_id,
      bulkEntryId: r.bulk_entry_id,
    })),
    total: Number(counted[0]?.n ?? 0),
    page: q.page,
    pageSize: q.pageSize,
  };
}
