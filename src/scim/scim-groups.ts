import type { Knex } from 'knex';
import { requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import {
  type GroupRow,
  idsOf,
  isObject,
  loadGroup,
  GROUPS_FROM,
  groupSelectList,
  toScimGroup,
} from './group-document.ts';
import { addOnly, onlyAdditions } from './group-member-adds.ts';
import { ConflictError } from '../errors.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { parseAttributePath } from './attribute-path.ts';
import { filterToSql } from './filter-sql.ts';
import type { ListParams } from './list-params.ts';
import { type PatchOperation, parsePatchRequest } from './patch-ops.ts';
import { project, returns, type Projection } from './projection.ts';
import { groupColumns } from './scim-columns.ts';
import { GROUP_SCHEMA } from './scim-schemas.ts';
import { invalidSyntax, invalidValue, mutability, noTarget } from './scim-error.ts';
import type { ScimContext } from './scim-users.ts';
import { checkIfMatch } from './versions.ts';
import { listResources } from './resource-list.ts';

// SCIM Groups. Membership changes are deltas on the memberships table: adding or removing
// members never reads or rewrites the whole group, and excludedAttributes=members never touches
// memberships at all. Members of another organization cannot be referenced.

type Json = Record<string, unknown>;

export async function getGroup(ctx: ScimContext, id: string, projection: Projection) {
  const row = await loadGroup(ctx.db, ctx.scope.orgId, id, returns(projection, 'members'));
  return { resource: project(toScimGroup(row, ctx.base), projection), version: row.version };
}

export function listGroups(ctx: ScimContext, params: ListParams): Promise<Json> {
  return listResources<GroupRow>(ctx.db, params, {
    columns: groupColumns,
    defaultSort: 'lower(g.name)',
    idColumn: 'g.id',
    select: groupSelectList(returns(params.projection, 'members')),
    from: GROUPS_FROM,
    orgId: ctx.scope.orgId,
    toResource: (row) => project(toScimGroup(row, ctx.base), params.projection),
  });
}

/** Member ids from `[{ value }]` (or bare ids), each a member of this organization. */
async function memberIds(trx: Knex.Transaction, orgId: string, value: unknown): Promise<string[]> {
  const unique = idsOf(value);
  if (unique.length === 0) return [];
  const found = (await trx('members')
    .where('org_id', orgId)
    .whereRaw('id = any(?::uuid[])', [unique])
    .select('id')) as Array<{ id: string }>;
  if (found.length !== unique.length) {
    const known = new Set(found.map((f) => f.id));
    const missing = unique.filter((id) => !known.has(id));
    throw invalidValue(
      `members: no user ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} in this organization`,
    );
  }
  return unique;
}

async function addMembers(trx: Knex.Transaction, groupId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.raw(
    'insert into memberships (group_id, member_id) select ?, unnest(?::uuid[]) on conflict do nothing',
    [groupId, ids],
  );
}

async function removeMembers(
  trx: Knex.Transaction,
  groupId: string,
  ids: string[] | 'all',
): Promise<void> {
  const query = trx('memberships').where('group_id', groupId);
  if (ids !== 'all') {
    if (ids.length === 0) return;
    query.whereRaw('member_id = any(?::uuid[])', [ids]);
  }
  await query.delete();
}

function displayNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalidValue('displayName must be a non-empty string');
  if (value.length > 256) throw invalidValue('displayName must be at most 256 characters');
  return value;
}

function externalIdOf(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw invalidValue('externalId must be a string');
  if (value.length > 255) throw invalidValue('externalId must be at most 255 characters');
  return value;
}

function nameTaken(name: string) {
  return new ConflictError(`a group named "${name}" already exists`);
}

export async function createGroup(ctx: ScimContext, body: Json) {
  requireWrite(ctx.scope.actor);
  if (!Array.isArray(body.schemas) || !body.schemas.includes(GROUP_SCHEMA))
    throw invalidSyntax(`schemas must contain ${GROUP_SCHEMA}`);
  const name = displayNameOf(body.displayName);
  const { orgId } = ctx.scope;
  try {
    return await ctx.db.transaction(async (trx) => {
      const ids = await memberIds(trx, orgId, body.members);
      const [row] = (await trx('groups')
        .insert({ org_id: orgId, name, external_id: externalIdOf(body.externalId), source: 'scim' })
        .returning([
          'id',
          'name',
          'external_id',
          'version',
          'created_at',
          'updated_at',
        ])) as GroupRow[];
      await addMembers(trx, row!.id, ids);
      const resource = toScimGroup({ ...row!, members: [] }, ctx.base);
      await recordAudit(trx, {
        orgId,
        actor: ctx.scope.actor,
        action: 'group.create',
        targetType: 'group',
        targetId: row!.id,
        after: { via: 'scim', displayName: name, externalId: row!.external_id, members: ids },
      });
      const full =
        ids.length > 0
          ? toScimGroup(await loadGroup(trx, orgId, row!.id, true), ctx.base)
          : resource;
      return { resource: full, version: row!.version };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'groups_name_key')) throw nameTaken(name);
    throw error;
  }
}

interface Change {
  name?: string;
  externalId?: string | null;
  added: string[];
  removed: string[] | 'all';
}

/** One PATCH operation on a group, as a change of columns and membership deltas. */
async function planOperation(
  trx: Knex.Transaction,
  orgId: string,
  op: PatchOperation,
  change: Change,
): Promise<void> {
  if (op.path === null) {
    if (!isObject(op.value)) throw invalidValue(`${op.op} without a path needs an object value`);
    for (const [key, value] of Object.entries(op.value)) {
      if (['id', 'schemas', 'meta'].includes(key)) continue;
      await planOperation(trx, orgId, { ...op, path: key, value }, change);
    }
    return;
  }
  const path = parseAttributePath(op.path, 'Group');
  if (path.attr === 'displayName') {
    if (op.op === 'remove') throw mutability('displayName is required and cannot be removed');
    change.name = displayNameOf(op.value);
  } else if (path.attr === 'externalId') {
    change.externalId = op.op === 'remove' ? null : externalIdOf(op.value);
  } else if (path.attr === 'members') {
    if (path.filter) {
      if (op.op !== 'remove')
        throw noTarget('add or replace on members takes the path "members" and a value list');
      const where = filterToSql(path.filter, (sub) =>
        sub.toLowerCase() === 'value'
          ? { kind: 'column', sql: 'm.id', type: 'uuid', caseExact: true }
          : undefined,
      );
      const ids = (await trx('members as m')
        .where('m.org_id', orgId)
        .andWhereRaw(where.sql, where.bindings as Knex.RawBinding[])
        .select('m.id')) as Array<{ id: string }>;
      if (change.removed !== 'all') change.removed.push(...ids.map((r) => r.id));
      return;
    }
    if (op.op === 'remove') {
      if (op.value === undefined || op.value === null) change.removed = 'all';
      else if (change.removed !== 'all')
        change.removed.push(...(await memberIds(trx, orgId, op.value)));
      return;
    }
    const ids = await memberIds(trx, orgId, op.value);
    if (op.op === 'replace') {
      change.removed = 'all';
      change.added = ids;
    } else {
      change.added.push(...ids);
    }
  } else {
    throw mutability(`${path.attr} cannot be changed on a group`);
  }
}

export async function patchGroup(
  ctx: ScimContext,
  id: string,
  body: unknown,
  ifMatch?: string,
): Promise<{ version: number }> {
  requireWrite(ctx.scope.actor);
  const operations = parsePatchRequest(body);
  const { orgId } = ctx.scope;
  const additions = onlyAdditions(operations);
  if (additions) {
    const done = await addOnly(ctx, id, additions, ifMatch);
    if (done) return done;
  }
  let change: Change = { added: [], removed: [] };
  try {
    return await ctx.db.transaction(async (trx) => {
      const current = await loadGroup(trx, orgId, id, false, true);
      checkIfMatch(ifMatch, current.version);
      // Operations apply in order: a removal after an addition of the same member wins, and so on.
      for (const op of operations) {
        change = { added: [], removed: [] };
        await planOperation(trx, orgId, op, change);
        await removeMembers(trx, id, change.removed);
        await addMembers(trx, id, change.added);
        if (change.name !== undefined || change.externalId !== undefined) {
          await trx('groups')
            .where({ id })
            .update({
              ...(change.name !== undefined && { name: change.name }),
              ...(change.externalId !== undefined && { external_id: change.externalId }),
            });
        }
        await recordAudit(trx, {
          orgId,
          actor: ctx.scope.actor,
          action: 'group.update',
          targetType: 'group',
          targetId: id,
          before: { displayName: current.name, externalId: current.external_id },
          after: {
            via: 'scim',
            op: op.op,
            path: op.path,
            displayName: change.name,
            externalId: change.externalId,
            added: change.added,
            removed: change.removed,
          },
        });
      }
      const [row] = (await trx('groups')
        .where({ id })
        .update({ version: trx.raw('version + 1'), updated_at: trx.fn.now() })
        .returning('version')) as Array<{ version: number }>;
      return { version: row!.version };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'groups_name_key')) throw nameTaken(change.name ?? '');
    throw error;
  }
}

export async function replaceGroup(ctx: ScimContext, id: string, body: Json, ifMatch?: string) {
  requireWrite(ctx.scope.actor);
  if (!Array.isArray(body.schemas) || !body.schemas.includes(GROUP_SCHEMA))
    throw invalidSyntax(`schemas must contain ${GROUP_SCHEMA}`);
  if (body.id !== undefined && body.id !== id) throw mutability('id cannot change');
  const name = displayNameOf(body.displayName);
  const { orgId } = ctx.scope;
  try {
    return await ctx.db.transaction(async (trx) => {
      const current = await loadGroup(trx, orgId, id, false, true);
      checkIfMatch(ifMatch, current.version);
      const ids = await memberIds(trx, orgId, body.members);
      await removeMembers(trx, id, 'all');
      await addMembers(trx, id, ids);
      await trx('groups')
        .where({ id })
        .update({
          name,
          external_id: externalIdOf(body.externalId),
          version: trx.raw('version + 1'),
          updated_at: trx.fn.now(),
        });
      const row = await loadGroup(trx, orgId, id, true);
      await recordAudit(trx, {
        orgId,
        actor: ctx.scope.actor,
        action: 'group.update',
        targetType: 'group',
        targetId: id,
        before: { displayName: current.name },
        after: { via: 'scim', displayName: name, members: ids },
      });
      return { resource: toScimGroup(row, ctx.base), version: row.version };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'groups_name_key')) throw nameTaken(name);
    throw error;
  }
}

export async function deleteGroup(ctx: ScimContext, id: string, ifMatch?: string): Promise<void> {
  requireWrite(ctx.scope.actor);
  await ctx.db.transaction(async (trx) => {
    const current = await loadGroup(trx, ctx.scope.orgId, id, false, true);
    checkIfMatch(ifMatch, current.version);
    await trx('groups').where({ id }).delete();
    await recordAudit(trx, {
      orgId: ctx.scope.orgId,
      actor: ctx.scope.actor,
      action: 'group.delete',
      targetType: 'group',
      targetId: id,
      before: { displayName: current.name, externalId: current.external_id },
    });
  });
}
