import type { Knex } from 'knex';
import { type Actor, requireAdministrator, requireWrite } from '../access/actor.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import { resolveGroupIds } from '../groups/group-refs.ts';
import { findOrganization } from '../orgs/organizations.ts';

// A code grants its roles in a scope: the organization, or one of its groups.
// Who may hand out codes for a scope: the CLI and API keys (an administrator role only by the
// CLI's administrator), and members who administer it because they redeemed an administrator
// code: an organization administrator for every scope, a group administrator for that group only.

export interface CodeScope {
  type: 'organization' | 'group';
  /** The group's id, or null for the organization. */
  groupId: string | null;
  name: string;
}

export async function resolveScope(
  db: Knex | Knex.Transaction,
  orgId: string,
  ref: string | undefined,
): Promise<CodeScope> {
  if (ref === undefined || ref.trim() === '') {
    return { type: 'organization', groupId: null, name: (await findOrganization(db, orgId)).name };
  }
  let ids: string[];
  try {
    ids = await resolveGroupIds(db, orgId, [ref]);
  } catch (error) {
    if (error instanceof ValidationError)
      throw ValidationError.field(
        'scope',
        `no group "${ref}" in this organization (leave the scope out for the whole organization)`,
      );
    throw error;
  }
  const group = await db('groups').where({ org_id: orgId, id: ids[0] }).first('id', 'name');
  // resolveGroupIds has just found it in this organization.
  return { type: 'group', groupId: group!.id, name: group!.name };
}

/** The group ids a member administers; null in the list stands for the whole organization. */
async function administeredScopes(
  db: Knex | Knex.Transaction,
  orgId: string,
  memberId: string,
): Promise<Array<string | null>> {
  const rows = await db('scope_administrators')
    .where({ org_id: orgId, member_id: memberId })
    .select('group_id');
  return rows.map((r) => r.group_id);
}

/** Refuses an actor who may not create codes for this scope (with an administrator role or not). */
export async function assertMayCreateIn(
  db: Knex | Knex.Transaction,
  orgId: string,
  actor: Actor,
  scope: CodeScope,
  grantsAdministrator: boolean,
): Promise<void> {
  if (actor.type !== 'member' || actor.access === 'administrator') {
    requireWrite(actor);
    if (grantsAdministrator)
      requireAdministrator(actor, 'creating codes with an administrator role');
    return;
  }
  const scopes = await administeredScopes(db, orgId, actor.id ?? '');
  if (!scopes.includes(null) && !scopes.includes(scope.groupId)) {
    throw new ForbiddenError(
      `you may create invitation codes only for the scope(s) you administer, not for "${scope.name}"`,
    );
  }
}

/** For a member: only the codes of the scopes they administer; everyone else sees all. */
export async function visibleScopeFilter(
  db: Knex | Knex.Transaction,
  orgId: string,
  actor: Actor,
): Promise<((q: Knex.QueryBuilder) => void) | null> {
  if (actor.type !== 'member' || actor.access === 'administrator') return null;
  const scopes = await administeredScopes(db, orgId, actor.id ?? '');
  if (scopes.includes(null)) return null;
  const groups = scopes.filter((s): s is string => s !== null);
  return (q) => {
    if (groups.length === 0) q.whereRaw('false');
    else q.whereIn('c.group_id', groups);
  };
}
