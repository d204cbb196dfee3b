import type { Knex } from 'knex';
import { claimLicensesOf, defaultLicensesOf } from '../licenses/license-grants.ts';
import { type Scope, requireWrite } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { isExternalIdTaken, setExternalId } from '../links/identity-links.ts';
import { assertWithinMembershipLimit } from '../members/member-rules.ts';
import { transferOrDeleteOwned } from '../resources/ownership.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { selectRows } from '../store/prepared-select.ts';
import { filterToSql } from './filter-sql.ts';
import type { ListParams } from './list-params.ts';
import { applyUserPatch, parsePatchRequest } from './patch-ops.ts';
import { project, returns, type Projection } from './projection.ts';
import { sortColumn, userColumns } from './scim-columns.ts';
import { LIST_SCHEMA, USER_SCHEMA } from './scim-schemas.ts';
import { invalidSyntax, invalidValue, mutability } from './scim-error.ts';
import { fromScimUser, toScimUser, type UserFields, type UserRow } from './user-document.ts';
import { checkIfMatch } from './versions.ts';
import { isUuid } from '../store/uuid.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import { passwordInBody, passwordInPatch, pushedPasswordColumns } from './password-push.ts';
import { newMemberTypeAndRoleIds } from '../members/new-member-defaults.ts';
import { findOrganization } from '../orgs/organizations.ts';
import { loadCatalog } from '../catalog/catalog-store.ts';

// SCIM Users over the member store. Members pushed by an identity provider are linked to the
// `scim` identity source with their externalId; every change is audited with the acting key.

export interface ScimContext {
  db: Knex;
  /** Hashes a password an identity provider pushes (when the organization allows it). */
  hasher: PasswordHasher;
  scope: Scope;
  /** The absolute URL of /scim/v2, for meta.location and $ref. */
  base: string;
}

type Json = Record<string, unknown>;
const SOURCE = 'scim';

const USER_SELECT = `m.id, m.username, m.email, m.first_name, m.last_name, m.display_name, m.status, m.profile, m.version, m.created_at, m.updated_at,
  (select l.external_id from identity_links l where l.member_id = m.id and l.source = '${SOURCE}') as external_id`;
const GROUPS_SELECT = `(select coalesce(json_agg(json_build_object('value', g.id, 'display', g.name) order by g.name), '[]'::json)
  from memberships ms join groups g on g.id = ms.group_id where ms.member_id = m.id) as groups`;

function selectUsers(db: Knex | Knex.Transaction, orgId: string, withGroups: boolean) {
  return db('members as m')
    .where('m.org_id', orgId)
    .select(db.raw(withGroups ? `${USER_SELECT}, ${GROUPS_SELECT}` : USER_SELECT));
}

function notFound(id: string) {
  return new NotFoundError('User', id);
}

async function loadRow(
  db: Knex | Knex.Transaction,
  orgId: string,
  id: string,
  withGroups: boolean,
  lock = false,
): Promise<UserRow> {
  if (!isUuid(id)) throw notFound(id);
  const query = selectUsers(db, orgId, withGroups).andWhere('m.id', id).limit(1);
  if (lock) query.forUpdate();
  const [row] = await selectRows<UserRow>(db, query);
  if (!row) throw notFound(id);
  return row;
}

export async function getUser(
  ctx: ScimContext,
  id: string,
  projection: Projection,
): Promise<{ resource: Json; version: number }> {
  const row = await loadRow(ctx.db, ctx.scope.orgId, id, returns(projection, 'groups'));
  return { resource: project(toScimUser(row, ctx.base), projection), version: row.version };
}

export async function listUsers(ctx: ScimContext, params: ListParams): Promise<Json> {
  const where = params.filter ? filterToSql(params.filter, userColumns) : null;
  const filtered = (q: Knex.QueryBuilder) =>
    where ? q.andWhereRaw(where.sql, where.bindings as Knex.RawBinding[]) : q;
  const sort = params.sortBy
    ? (sortColumn(userColumns, params.sortBy) ?? 'lower(m.username)')
    : 'lower(m.username)';
  const direction = params.descending ? 'desc' : 'asc';
  // One round trip: the total rides along each row of the page (a window count); only a page
  // past the end, or count=0, needs the count on its own.
  let rows: Array<UserRow & { total?: number | string }> = [];
  if (params.count > 0) {
    rows = await selectRows(
      ctx.db,
      filtered(selectUsers(ctx.db, ctx.scope.orgId, returns(params.projection, 'groups')))
        .select(ctx.db.raw('count(*) over () as total'))
        .orderByRaw(`${sort} ${direction}, m.id ${direction}`)
        .limit(params.count)
        .offset(params.startIndex - 1),
    );
  }
  const total =
    rows.length > 0
      ? Number(rows[0]!.total)
      : Number(
          (
            await selectRows<{ n: number | string }>(
              ctx.db,
              filtered(ctx.db('members as m').where('m.org_id', ctx.scope.orgId)).count({ n: '*' }),
            )
          )[0]?.n ?? 0,
        );
  const resources = (rows as UserRow[]).map((r) =>
    project(toScimUser(r, ctx.base), params.projection),
  );
  return {
    schemas: [LIST_SCHEMA],
    totalResults: total,
    startIndex: params.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

function uniqueness(fields: UserFields): ConflictError {
  return new ConflictError(
    `userName "${fields.profile.userName ?? fields.username}" is already taken (userNames are compared without regard to case)`,
  );
}

/** The member's columns; with no address from the provider, the organization's stand-in or none. */
function columnsOf(fields: UserFields, standInEmail: string | null | undefined) {
  return {
    username: fields.username,
    email: fields.email ?? standInEmail ?? null,
    first_name: fields.firstName,
    last_name: fields.lastName,
    display_name: fields.displayName,
    status: fields.active ? 'active' : 'disabled',
    profile: JSON.stringify(fields.profile),
  };
}

function assertUserSchema(body: Json): void {
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(USER_SCHEMA))
    throw invalidSyntax(`schemas must contain ${USER_SCHEMA}`);
}

/** The manager is a user of this organization: no reference reaches another tenant. */
async function assertManager(
  trx: Knex.Transaction,
  orgId: string,
  fields: UserFields,
): Promise<void> {
  const manager = (fields.profile.enterprise?.manager as { value?: string } | undefined)?.value;
  if (manager === undefined) return;
  const known =
    isUuid(manager) && (await trx('members').where({ org_id: orgId, id: manager }).first('id'));
  if (!known)
    throw invalidValue(`manager: no user ${JSON.stringify(manager)} in this organization`);
}

export async function createUser(
  ctx: ScimContext,
  body: Json,
): Promise<{ resource: Json; version: number }> {
  requireWrite(ctx.scope.actor);
  assertUserSchema(body);
  const fields = fromScimUser(body);
  const { orgId } = ctx.scope;
  try {
    return await ctx.db.transaction(async (trx) => {
      await assertWithinMembershipLimit(trx, orgId, 1);
      await assertManager(trx, orgId, fields);
      const org = await findOrganization(trx, orgId);
      const defaults = newMemberTypeAndRoleIds(
        await loadCatalog(trx, orgId),
        org.newMemberDefaults,
      );
      // With no default licences (the usual case) there is nothing to look up or to count.
      const licenses =
        (org.newMemberDefaults.licenses ?? []).length > 0
          ? await defaultLicensesOf(trx, orgId, defaults.userTypeId)
          : [];
      const [inserted] = await trx('members')
        .insert({
          org_id: orgId,
          user_type_id: defaults.userTypeId,
          role_id: defaults.roleId,
          licenses,
          source: SOURCE,
          ...columnsOf(fields, org.newMemberDefaults.standInEmail),
          ...(await pushedPasswordColumns(
            org.scimPasswordPush,
            passwordInBody(body),
            fields.username,
            ctx.hasher,
          )),
        })
        .returning('*');
      if (licenses.length > 0) await claimLicensesOf(trx, orgId, [inserted!.id]);
      const row: UserRow = { ...inserted!, external_id: fields.externalId, groups: [] };
      if (fields.externalId !== null)
        await setExternalId(trx, orgId, row.id, SOURCE, fields.externalId);
      const resource = toScimUser(row, ctx.base);
      await recordAudit(trx, {
        orgId,
        actor: ctx.scope.actor,
        action: 'member.create',
        targetType: 'member',
        targetId: row.id,
        after: { via: 'scim', ...resource },
      });
      return { resource, version: row.version };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'members_username_key')) throw uniqueness(fields);
    if (isExternalIdTaken(error))
      throw new ConflictError(`externalId "${fields.externalId}" belongs to another user`);
    throw error;
  }
}

/** Writes a whole new state of the user (PUT, and PATCH once applied), version-checked. */
async function writeUser(
  ctx: ScimContext,
  id: string,
  ifMatch: string | undefined,
  next: (current: Json) => Json,
  password: string | undefined,
): Promise<{ resource: Json; version: number }> {
  requireWrite(ctx.scope.actor);
  const { orgId } = ctx.scope;
  let fields: UserFields | undefined;
  try {
    return await ctx.db.transaction(async (trx) => {
      const current = await loadRow(trx, orgId, id, false, true);
      checkIfMatch(ifMatch, current.version);
      const before = toScimUser(current, ctx.base);
      const wanted = next(before);
      if (wanted.id !== undefined && wanted.id !== id) throw mutability('id cannot change');
      fields = fromScimUser(wanted);
      await assertManager(trx, orgId, fields);
      const org = await findOrganization(trx, orgId);
      const [updated] = await trx('members')
        .where({ id, org_id: orgId })
        .update({
          ...columnsOf(fields, org.newMemberDefaults.standInEmail),
          ...(await pushedPasswordColumns(
            org.scimPasswordPush,
            password,
            fields.username,
            ctx.hasher,
          )),
          version: trx.raw('version + 1'),
          updated_at: trx.fn.now(),
        })
        .returning('*');
      if (fields.externalId !== current.external_id)
        await setExternalId(trx, orgId, id, SOURCE, fields.externalId);
      const row = await loadRow(trx, orgId, id, true);
      const resource = toScimUser(
        { ...updated!, external_id: fields.externalId, groups: row.groups ?? [] },
        ctx.base,
      );
      await recordAudit(trx, {
        orgId,
        actor: ctx.scope.actor,
        action: 'member.update',
        targetType: 'member',
        targetId: id,
        before,
        after: resource,
      });
      return { resource, version: updated!.version };
    });
  } catch (error) {
    if (fields && isUniqueViolation(error, 'members_username_key')) throw uniqueness(fields);
    if (isExternalIdTaken(error))
      throw new ConflictError(`externalId "${fields?.externalId}" belongs to another user`);
    throw error;
  }
}

export function replaceUser(ctx: ScimContext, id: string, body: Json, ifMatch?: string) {
  assertUserSchema(body);
  // PUT replaces what the client may write; read-only values it sends (meta, groups) are ignored.
  return writeUser(ctx, id, ifMatch, () => ({ ...body, id: body.id ?? id }), passwordInBody(body));
}

export function patchUser(ctx: ScimContext, id: string, body: unknown, ifMatch?: string) {
  const operations = parsePatchRequest(body);
  return writeUser(
    ctx,
    id,
    ifMatch,
    (current) => applyUserPatch(current, operations),
    passwordInPatch(operations),
  );
}

/** DELETE removes the member; what it owns is deleted with it (no one to hand it to). */
export async function deleteUser(ctx: ScimContext, id: string, ifMatch?: string): Promise<void> {
  requireWrite(ctx.scope.actor);
  const { orgId } = ctx.scope;
  await ctx.db.transaction(async (trx) => {
    const current = await loadRow(trx, orgId, id, false, true);
    checkIfMatch(ifMatch, current.version);
    const owned = await transferOrDeleteOwned(trx, orgId, { memberId: id }, undefined);
    await trx('members').where({ id, org_id: orgId }).delete();
    await recordAudit(trx, {
      orgId,
      actor: ctx.scope.actor,
      action: 'member.delete',
      targetType: 'member',
      targetId: id,
      before: toScimUser(current, ctx.base),
      after: { via: 'scim', resourcesDeleted: owned.deleted },
    });
  });
}
