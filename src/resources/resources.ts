import type { Knex } from 'knex';
import { z } from 'zod';
import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { isUuid } from '../store/uuid.ts';
import { parseInput } from '../validation.ts';

// Owned resources: the minimal record of something a member or an API key owns, and who else
// may access it, so that deleting an owner transfers or deletes real rows.

export interface Resource {
  id: string;
  kind: string;
  name: string;
  owner: { type: 'member' | 'key'; id: string };
  sharedWith: string[];
  createdAt: string;
}

interface ResourceRow {
  id: string;
  kind: string;
  name: string;
  owner_member_id: string | null;
  owner_key_id: string | null;
  created_at: Date;
}

const createSchema = z
  .object({
    kind: z.string().trim().min(1).max(100),
    name: z.string().trim().min(1).max(500),
    owner: z.string().min(1).optional(),
    sharedWith: z.array(z.string().min(1)).max(1000).optional(),
  })
  .strict();

async function memberIds(
  trx: Knex.Transaction,
  orgId: string,
  refs: string[],
  field: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (const ref of refs) {
    const query = trx('members').where('org_id', orgId);
    if (isUuid(ref)) query.andWhere('id', ref);
    else query.andWhereRaw('lower(username) = lower(?)', [ref]);
    const row = await query.first('id');
    if (!row)
      throw ValidationError.field(field, `no member ${JSON.stringify(ref)} in this organization`);
    ids.push(row.id as string);
  }
  return ids;
}

async function present(db: Knex | Knex.Transaction, rows: ResourceRow[]): Promise<Resource[]> {
  const access =
    rows.length === 0
      ? []
      : await db('resource_access')
          .whereIn(
            'resource_id',
            rows.map((r) => r.id),
          )
          .select('resource_id', 'member_id');
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    owner: r.owner_member_id
      ? { type: 'member', id: r.owner_member_id }
      : { type: 'key', id: r.owner_key_id! },
    sharedWith: (access as Array<{ resource_id: string; member_id: string }>)
      .filter((a) => a.resource_id === r.id)
      .map((a) => a.member_id),
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** Without an owner, a resource created with an API key belongs to that key. */
export async function createResource(db: Knex, scope: Scope, input: unknown): Promise<Resource> {
  requireWrite(scope.actor);
  const request = parseInput(createSchema, input);
  return db.transaction(async (trx) => {
    const owner = request.owner
      ? { owner_member_id: (await memberIds(trx, scope.orgId, [request.owner], 'owner'))[0] }
      : scope.actor.type === 'key'
        ? { owner_key_id: scope.actor.id }
        : undefined;
    if (!owner)
      throw ValidationError.field('owner', 'is required: name the member who owns the resource');
    const [row] = await trx<ResourceRow>('resources')
      .insert({ org_id: scope.orgId, kind: request.kind, name: request.name, ...owner } as never)
      .returning('*');
    const shared = await memberIds(trx, scope.orgId, request.sharedWith ?? [], 'sharedWith');
    if (shared.length > 0)
      await trx('resource_access').insert(
        [...new Set(shared)].map((member_id) => ({
          resource_id: row!.id,
          member_id,
          permission: 'read',
        })),
      );
    const [resource] = await present(trx, [row!]);
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'resource.create',
      targetType: 'resource',
      targetId: row!.id,
      after: resource,
    });
    return resource!;
  });
}

export async function listResources(
  db: Knex,
  orgId: string,
  owner?: string,
): Promise<{ items: Resource[]; total: number }> {
  const query = db<ResourceRow>('resources').where('org_id', orgId).orderBy('created_at');
  if (owner) {
    if (!isUuid(owner)) throw ValidationError.field('owner', 'must be a member or API key id');
    query.andWhere((q) => q.where('owner_member_id', owner).orWhere('owner_key_id', owner));
  }
  const rows = await query;
  return { items: await present(db, rows), total: rows.length };
}

export async function getResource(db: Knex, orgId: string, id: string): Promise<Resource> {
  const row = isUuid(id)
    ? await db<ResourceRow>('resources').where('org_id', orgId).andWhere('id', id).first()
    : undefined;
  if (!row) throw new NotFoundError('resource', id);
  return (await present(db, [row]))[0]!;
}
