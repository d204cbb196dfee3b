import { auditCte } from '../audit/audit-log.ts';
import { addMembershipsCte, bumpGroupVersionCte } from '../groups/group-statements.ts';
import { allMembersOf } from '../members/member-statements.ts';
import { runOneStatement } from '../store/one-statement.ts';
import { parseAttributePath } from './attribute-path.ts';
import { idsOf, loadGroup } from './group-document.ts';
import type { PatchOperation } from './patch-ops.ts';
import type { ScimContext } from './scim-users.ts';
import { checkIfMatch } from './versions.ts';

// The usual group PATCH — members added — in two statements instead of a transaction.

/** The operations when each only adds members (`add` on `members`), else null. */
export function onlyAdditions(operations: readonly PatchOperation[]): PatchOperation[] | null {
  const adds = operations.filter((op) => {
    if (op.op !== 'add' || op.path === null) return false;
    const path = parseAttributePath(op.path, 'Group');
    return path.attr === 'members' && !path.filter;
  });
  return adds.length === operations.length ? adds : null;
}

/**
 * Adding members, the usual PATCH: a read, then one statement that bumps the group (only if it is
 * still at the version read and every id is a user of the organization), inserts the memberships
 * and audits each operation. Null when that statement wrote nothing: the caller then takes the
 * transaction, which says precisely what was wrong (or waits its turn on a contended group).
 */
export async function addOnly(
  ctx: ScimContext,
  id: string,
  additions: PatchOperation[],
  ifMatch: string | undefined,
): Promise<{ version: number } | null> {
  const { orgId } = ctx.scope;
  const current = await loadGroup(ctx.db, orgId, id, false);
  checkIfMatch(ifMatch, current.version);
  const added = additions.map((op) => idsOf(op.value));
  const all = [...new Set(added.flat())];
  const [row] = await runOneStatement<{ version: number }>(
    ctx.db,
    [
      bumpGroupVersionCte('g', { orgId, id, version: current.version }, allMembersOf(orgId, all)),
      addMembershipsCte('ms', id, all, 'g'),
      auditCte(
        'a',
        additions.map((op, i) => ({
          orgId,
          actor: ctx.scope.actor,
          action: 'group.update',
          targetType: 'group',
          targetId: id,
          before: { displayName: current.name, externalId: current.external_id },
          after: { via: 'scim', op: op.op, path: op.path, added: added[i], removed: [] },
        })),
        'g',
      ),
    ],
    'select version from g',
  );
  return row ?? null;
}
