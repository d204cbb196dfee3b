import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { requireWrite } from '../access/actor.ts';
import { auditCte } from '../audit/audit-log.ts';
import { UnavailableError } from '../errors.ts';
import { claimLicenses, defaultLicensesOf } from '../licenses/license-grants.ts';
import { externalIdCte } from '../links/identity-links.ts';
import { assertWithinMembershipLimit } from '../members/member-rules.ts';
import { insertMemberCte } from '../members/member-statements.ts';
import {
  DefaultsNotInCatalogError,
  newMemberTypeAndRoleIds,
} from '../members/new-member-defaults.ts';
import {
  type KnownOrganization,
  knownOrganizationWithCatalog,
} from '../orgs/known-organizations.ts';
import { isOrganizationChanged, organizationIdAt } from '../orgs/organizations.ts';
import { runOneStatement } from '../store/one-statement.ts';
import { passwordInBody, pushedPasswordColumns } from './password-push.ts';
import type { ScimContext } from './scim-users.ts';
import { fromScimUser, toScimUser, type UserFields, type UserRow } from './user-document.ts';
import {
  SOURCE,
  assertManager,
  assertUserSchema,
  columnsOf,
  userWriteConflict,
} from './user-write-rules.ts';

// POST /Users: one statement that writes the member, its link and its audit entry, with the
// defaults of the organization as this process last read it.

type Json = Record<string, unknown>;

export async function createUser(
  ctx: ScimContext,
  body: Json,
): Promise<{ resource: Json; version: number }> {
  requireWrite(ctx.scope.actor);
  assertUserSchema(body);
  const fields = fromScimUser(body);
  await assertManager(ctx.db, ctx.scope.orgId, fields);
  // This process's copy of the organization and its catalog may be older than they are: when the
  // write finds the organization changed, or the copy lacks a default it names, again with them
  // read afresh.
  let known = await knownOrganizationWithCatalog(ctx.db, ctx.scope.orgId);
  for (let attempt = 1; ; attempt++) {
    try {
      return await insertUser(ctx, body, fields, known);
    } catch (error) {
      const changed = isOrganizationChanged(error);
      if (!changed && !(error instanceof DefaultsNotInCatalogError && attempt === 1)) throw error;
      if (attempt === CHANGED_ATTEMPTS)
        throw new UnavailableError(
          "the organization's settings or catalog changed during each attempt to create the user; try again",
          {},
          { cause: error },
        );
      known = await knownOrganizationWithCatalog(ctx.db, ctx.scope.orgId, known);
    }
  }
}

/** Attempts of a create whose organization changes under it, each read afresh, before it gives up. */
const CHANGED_ATTEMPTS = 3;

/** The write of `createUser`, with the organization and catalog as known at `revision`. */
async function insertUser(
  ctx: ScimContext,
  body: Json,
  fields: UserFields,
  { org, catalog, revision }: KnownOrganization,
): Promise<{ resource: Json; version: number }> {
  const { orgId } = ctx.scope;
  try {
    const defaults = newMemberTypeAndRoleIds(catalog, org.newMemberDefaults);
    const columns = {
      ...columnsOf(fields, org.newMemberDefaults.standInEmail),
      ...(await pushedPasswordColumns(
        org.scimPasswordPush,
        passwordInBody(body),
        fields.username,
        ctx.hasher,
      )),
    };
    // The id and times are chosen here so that the answer and its audit entry are known before
    // the one statement that writes the member, its link and the entry.
    const now = new Date();
    const row: UserRow = {
      ...columns,
      profile: fields.profile,
      id: randomUUID(),
      version: 1,
      created_at: now,
      updated_at: now,
      external_id: fields.externalId,
      groups: [],
    };
    const resource = toScimUser(row, ctx.base);
    const write = (db: Knex | Knex.Transaction, licenses: string[]) =>
      runOneStatement(
        db,
        [
          insertMemberCte('m', {
            ...columns,
            id: row.id,
            org_id: organizationIdAt(orgId, revision),
            user_type_id: defaults.userTypeId,
            role_id: defaults.roleId,
            licenses,
            source: SOURCE,
            created_at: now,
            updated_at: now,
          }),
          ...(fields.externalId === null
            ? []
            : [
                externalIdCte('l', {
                  orgId,
                  memberId: row.id,
                  source: SOURCE,
                  externalId: fields.externalId,
                }),
              ]),
          auditCte('a', [
            {
              orgId,
              actor: ctx.scope.actor,
              action: 'member.create',
              targetType: 'member',
              targetId: row.id,
              after: { via: 'scim', ...resource },
            },
          ]),
        ],
        'select id from m',
      );
    // A membership limit or default licences need counting under a lock: a transaction. Without
    // them (the usual case) the one statement is the whole write.
    const licensed = (org.newMemberDefaults.licenses ?? []).length > 0;
    if (org.membershipLimit === null && !licensed) await write(ctx.db, []);
    else
      await ctx.db.transaction(async (trx) => {
        await assertWithinMembershipLimit(trx, orgId, 1);
        const licenses = licensed ? await defaultLicensesOf(trx, orgId, defaults.userTypeId) : [];
        await write(trx, licenses);
        // A member SCIM creates is active or disabled, never pending: its licences count now.
        await claimLicenses(trx, orgId, [licenses]);
      });
    return { resource, version: row.version };
  } catch (error) {
    throw userWriteConflict(error, fields);
  }
}
