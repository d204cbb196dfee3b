import type { Knex } from 'knex';
import { ConflictError } from '../errors.ts';
import { isExternalIdTaken } from '../links/identity-links.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { isUuid } from '../store/uuid.ts';
import { invalidSyntax, invalidValue } from './scim-error.ts';
import { USER_SCHEMA } from './scim-schemas.ts';
import type { UserFields } from './user-document.ts';

// What a SCIM create and a SCIM change of a user both check and write: the schema, the manager,
// the member's columns, and the conflicts a write can meet.

type Json = Record<string, unknown>;

/** The identity source of the members SCIM pushes, which their externalId links to. */
export const SOURCE = 'scim';

function uniqueness(fields: UserFields): ConflictError {
  return new ConflictError(
    `userName "${fields.profile.userName ?? fields.username}" is already taken (userNames are compared without regard to case)`,
  );
}

/** The member's columns; with no address from the provider, the organization's stand-in or none. */
export function columnsOf(fields: UserFields, standInEmail: string | null | undefined) {
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

export function assertUserSchema(body: Json): void {
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(USER_SCHEMA))
    throw invalidSyntax(`schemas must contain ${USER_SCHEMA}`);
}

/** The manager is a user of this organization: no reference reaches another tenant. */
export async function assertManager(
  trx: Knex | Knex.Transaction,
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

/** A write's failure as the conflict the client can act on, or as it was. */
export function userWriteConflict(error: unknown, fields: UserFields | undefined): unknown {
  if (fields && isUniqueViolation(error, 'members_username_key')) return uniqueness(fields);
  if (isExternalIdTaken(error))
    return new ConflictError(`externalId "${fields?.externalId}" belongs to another user`);
  return error;
}
