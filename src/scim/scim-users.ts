import type { Knex } from 'knex';
import { type Scope, requireWrite } from '../access/actor.ts';
import { auditCte, recordAudit } from '../audit/audit-log.ts';
import { NotFoundError } from '../errors.ts';
import { externalIdCte } from '../links/identity-links.ts';
import { transferOrDeleteOwned } from '../resources/ownership.ts';
import { selectSql } from '../store/prepared-select.ts';
import type { ListParams } from './list-params.ts';
import { applyUserPatch, parsePatchRequest } from './patch-ops.ts';
import { project, returns, type Projection } from './projection.ts';
import { userColumns } from './scim-columns.ts';
import { mutability } from './scim-error.ts';
import { fromScimUser, toScimUser, type UserFields, type UserRow } from './user-document.ts';
import { checkIfMatch } from './versions.ts';
import {
  SOURCE,
  assertManager,
  assertUserSchema,
  columnsOf,
  userWriteConflict,
} from './user-write-rules.ts';
import { listResources } from './resource-list.ts';
import { isUuid } from '../store/uuid.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import { passwordInBody, passwordInPatch, pushedPasswordColumns } from './password-push.ts';
import { MEMBER_WRITE_SETTINGS_COLUMN, type MemberWriteSettings } from '../orgs/organizations.ts';
import { updateMemberCte } from '../members/member-statements.ts';
import { runOneStatement } from '../store/one-statement.ts';

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
const USER_SELECT = `m.id, m.username, m.email, m.first_name, m.last_name, m.display_name, m.status, m.profile, m.version, m.created_at, m.updated_at,
  (select l.external_id from identity_links l where l.member_id = m.id and l.source = '${SOURCE}') as external_id`;
const GROUPS_SELECT = `(select coalesce(json_agg(json_build_object('value', g.id, 'display', g.name) order by g.name), '[]'::json)
  from memberships ms join groups g on g.id = ms.group_id where ms.member_id = m.id) as groups`;

/** The select list of a user's read: what the projection returns, and a write's settings. */
function userSelectList(withGroups: boolean, withSettings = false): string {
  return [
    USER_SELECT,
    ...(withGroups ? [GROUPS_SELECT] : []),
    ...(withSettings ? [MEMBER_WRITE_SETTINGS_COLUMN] : []),
  ].join(', ');
}

/** The organization's users, `$1` its id. */
const USERS_FROM = 'members m where m.org_id = $1';

function notFound(id: string) {
  return new NotFoundError('User', id);
}

async function loadRow(
  db: Knex | Knex.Transaction,
  orgId: string,
  id: string,
  withGroups: boolean,
  lock = false,
  withSettings = false,
): Promise<UserRow & { org_settings?: MemberWriteSettings }> {
  if (!isUuid(id)) throw notFound(id);
  const [row] = await selectSql<UserRow & { org_settings?: MemberWriteSettings }>(
    db,
    `select ${userSelectList(withGroups, withSettings)} from ${USERS_FROM} and m.id = $2 limit 1${lock ? ' for update of m' : ''}`,
    [orgId, id],
  );
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

export function listUsers(ctx: ScimContext, params: ListParams): Promise<Json> {
  return listResources<UserRow>(ctx.db, params, {
    columns: userColumns,
    defaultSort: 'lower(m.username)',
    idColumn: 'm.id',
    select: userSelectList(returns(params.projection, 'groups')),
    from: USERS_FROM,
    orgId: ctx.scope.orgId,
    toResource: (row) => project(toScimUser(row, ctx.base), params.projection),
  });
}

/** Reads of a write that lost a race to another before it falls back to waiting for a row lock. */
const OPTIMISTIC_ATTEMPTS = 3;

/**
 * Writes a whole new state of the user (PUT, and PATCH once applied), version-checked. The user is
 * read, then written in one statement (member, link, audit entry) only if its version is still the
 * one read; a write that lost that race reads again, and after a few tries takes a row lock.
 */
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
  const attempt = async (db: Knex | Knex.Transaction, lock: boolean) => {
    const current = await loadRow(db, orgId, id, true, lock, true);
    checkIfMatch(ifMatch, current.version);
    const before = toScimUser({ ...current, groups: undefined }, ctx.base);
    const wanted = next(before);
    if (wanted.id !== undefined && wanted.id !== id) throw mutability('id cannot change');
    fields = fromScimUser(wanted);
    await assertManager(db, orgId, fields);
    const settings = current.org_settings!;
    const now = new Date();
    const columns = {
      ...columnsOf(fields, settings.standInEmail),
      ...(await pushedPasswordColumns(
        settings.scimPasswordPush,
        password,
        fields.username,
        ctx.hasher,
      )),
      updated_at: now,
    };
    const version = current.version + 1;
    const resource = toScimUser(
      {
        ...current,
        ...columns,
        profile: fields.profile,
        version,
        external_id: fields.externalId,
        groups: current.groups ?? [],
      },
      ctx.base,
    );
    const written = await runOneStatement(
      db,
      [
        updateMemberCte('m', { orgId, id, version: current.version }, columns),
        ...(fields.externalId === current.external_id
          ? []
          : [
              externalIdCte(
                'l',
                { orgId, memberId: id, source: SOURCE, externalId: fields.externalId },
                'm',
              ),
            ]),
        auditCte(
          'a',
          [
            {
              orgId,
              actor: ctx.scope.actor,
              action: 'member.update',
              targetType: 'member',
              targetId: id,
              before,
              after: resource,
            },
          ],
          'm',
        ),
      ],
      'select id from m',
    );
    return written.length > 0 ? { resource, version } : null;
  };
  try {
    for (let tries = 1; ; tries += 1) {
      const done =
        tries <= OPTIMISTIC_ATTEMPTS
          ? await attempt(ctx.db, false)
          : await ctx.db.transaction((trx) => attempt(trx, true));
      if (done) return done;
    }
  } catch (error) {
    throw userWriteConflict(error, fields);
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
