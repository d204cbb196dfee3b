import type { Knex } from 'knex';
import { z } from 'zod';
import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { GroupRow as GroupTableRow } from '../store/tables/members.ts';
import { isUuid } from '../store/uuid.ts';
import { affectedRows } from '../store/affected-rows.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { parseInput, pageNumber } from '../validation.ts';

export interface Group {
  id: string;
  name: string;
  description: string;
  source: string;
  memberCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A group with its member count, as selectGroups reads it. */
interface GroupRow extends GroupTableRow {
  member_count: number;
}

type GroupQuery = Knex.QueryBuilder<GroupRow, GroupRow[]>;

const createSchema = z
  .object({ name: z.string().trim().min(1).max(256), description: z.string().max(1000).optional() })
  .strict();
const updateSchema = createSchema.partial().strict();
export const groupListSchema = (maxPageSize: number) =>
  z
    .object({
      search: z.string().trim().max(200).optional(),
      page: pageNumber,
      pageSize: z.coerce.number().int().min(1).max(maxPageSize).default(50),
    })
    .strict();

function toGroup(row: GroupRow): Group {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    source: row.source,
    memberCount: Number(row.member_count),
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function selectGroups(db: Knex | Knex.Transaction, orgId: string): GroupQuery {
  return db('groups as g')
    .where('g.org_id', orgId)
    .select(
      'g.*',
      db('memberships as ms').whereRaw('ms.group_id = g.id').count('*').as('member_count'),
    );
}

export async function getGroup(
  db: Knex | Knex.Transaction,
  orgId: string,
  ref: string,
): Promise<Group> {
  const query = selectGroups(db, orgId);
  if (isUuid(ref)) query.andWhere('g.id', ref);
  else query.andWhereRaw('lower(g.name) = lower(?)', [ref]);
  const row = await query.first();
  if (!row) throw new NotFoundError('group', ref);
  return toGroup(row);
}

function nameTaken(name: string) {
  return new ConflictError(`a group named "${name}" already exists in this organization`, {
    field: 'name',
  });
}

export async function createGroup(db: Knex, scope: Scope, input: unknown): Promise<Group> {
  requireWrite(scope.actor);
  const { name, description } = parseInput(createSchema, input);
  try {
    return await db.transaction(async (trx) => {
      const [row] = await trx('groups')
        .insert({ org_id: scope.orgId, name, description: description ?? '' })
        .returning('id');
      // An insert without a conflict clause returns its row.
      const group = await getGroup(trx, scope.orgId, row!.id);
      await recordAudit(trx, {
        orgId: scope.orgId,
        actor: scope.actor,
        action: 'group.create',
        targetType: 'group',
        targetId: group.id,
        after: group,
      });
      return group;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'groups_name_key')) throw nameTaken(name);
    throw error;
  }
}

export async function updateGroup(
  db: Knex,
  scope: Scope,
  ref: string,
  input: unknown,
): Promise<Group> {
  requireWrite(scope.actor);
  const patch = parseInput(updateSchema, input);
  try {
    return await db.transaction(async (trx) => {
      const before = await getGroup(trx, scope.orgId, ref);
      await trx('groups')
        .where('id', before.id)
        .update({ ...patch, version: trx.raw('version + 1'), updated_at: trx.fn.now() });
      const after = await getGroup(trx, scope.orgId, before.id);
      await recordAudit(trx, {
        orgId: scope.orgId,
        actor: scope.actor,
        action: 'group.update',
        targetType: 'group',
        targetId: before.id,
        before,
        after,
      });
      return after;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'groups_name_key')) throw nameTaken(patch.name ?? '');
    throw error;
  }
}

export async function deleteGroup(db: Knex, scope: Scope, ref: string): Promise<Group> {
  requireWrite(scope.actor);
  return db.transaction(async (trx) => {
    const group = await getGroup(trx, scope.orgId, ref);
    await trx('groups').where('id', group.id).delete();
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'group.delete',
      targetType: 'group',
      targetId: group.id,
      before: group,
    });
    return group;
  });
}

export async function listGroups(
  db: Knex,
  orgId: string,
  query: z.infer<ReturnType<typeof groupListSchema>>,
) {
  const base: Knex.QueryBuilder<GroupTableRow, GroupTableRow[]> = db('groups as g').where(
    'g.org_id',
    orgId,
  );
  if (query.search)
    base.andWhereRaw('lower(g.name) like ?', [
      `%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    ]);
  const [rows, counted] = await Promise.all([
    selectGroups(db, orgId)
      .whereIn('g.id', base.clone().select('g.id'))
      .orderByRaw('lower(g.name)')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    base.clone().count({ count: '*' }),
  ]);
  return {
    items: rows.map(toGroup),
    total: Number(counted[0]?.count ?? 0),
    page: query.page,
    pageSize: query.pageSize,
  };
}

async function memberIdIn(
  trx: Knex.Transaction,
  orgId: string,
  ref: string,
): Promise<{ id: string; username: string }> {
  const query = trx('members').where('org_id', orgId);
  if (isUuid(ref)) query.andWhere('id', ref);
  else query.andWhereRaw('lower(username) = lower(?)', [ref]);
  const row = await query.first('id', 'username');
  if (!row) throw new NotFoundError('member', ref);
  return row as { id: string; username: string };
}

/** Adds one member; touches one row, never the whole group. Adding twice is not an error. */
export async function addGroupMember(
  db: Knex,
  scope: Scope,
  groupRef: string,
  memberRef: string,
): Promise<{ added: boolean }> {
  requireWrite(scope.actor);
  return db.transaction(async (trx) => {
    const group = await getGroup(trx, scope.orgId, groupRef);
    const member = await memberIdIn(trx, scope.orgId, memberRef);
    const inserted = await trx('memberships')
      .insert({ group_id: group.id, member_id: member.id })
      .onConflict(['group_id', 'member_id'])
      .ignore()
      .returning('member_id');
    if (inserted.length > 0) {
      await trx('groups')
        .where('id', group.id)
        .update({ version: trx.raw('version + 1'), updated_at: trx.fn.now() });
      await recordAudit(trx, {
        orgId: scope.orgId,
        actor: scope.actor,
        action: 'group.member.add',
        targetType: 'group',
        targetId: group.id,
        after: { memberId: member.id, username: member.username },
      });
    }
    return { added: inserted.length > 0 };
  });
}

export async function removeGroupMember(
  db: Knex,
  scope: Scope,
  groupRef: string,
  memberRef: string,
): Promise<{ removed: boolean }> {
  requireWrite(scope.actor);
  return db.transaction(async (trx) => {
    const group = await getGroup(trx, scope.orgId, groupRef);
    const member = await memberIdIn(trx, scope.orgId, memberRef);
    const removed = affectedRows(
      await trx('memberships').where({ group_id: group.id, member_id: member.id }).delete(),
    );
    if (removed > 0) {
      await trx('groups')
        .where('id', group.id)
        .update({ version: trx.raw('version + 1'), updated_at: trx.fn.now() });
      await recordAudit(trx, {
        orgId: scope.orgId,
        actor: scope.actor,
        action: 'group.member.remove',
        targetType: 'group',
        targetId: group.id,
        before: { memberId: member.id, username: member.username },
      });
    }
    return { removed: removed > 0 };
  });
}
