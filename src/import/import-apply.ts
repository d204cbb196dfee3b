import type { Knex } from 'knex';
import type { Scope } from '../access/actor.ts';
import { type BulkMember, bulkInsertMembers } from '../members/member-bulk-insert.ts';
import { assertWithinMembershipLimit } from '../members/member-rules.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import type { ModeId } from './import-modes.ts';
import type { PlannedBatch } from './import-plan.ts';
import type { RunRow } from './import-store.ts';
import type { InvitationIssuer } from './invitation-issuer.ts';
import type { ValidRow } from './row-validation.ts';

// One batch of a run, in one transaction: invitations (through the issuer), members (the bulk
// path: taken usernames are skipped), their identity links, and the run's resume point. A batch
// that fails rolls back whole; the batches before it stay, and a new apply resumes after them.

/** argon2 runs on libuv's pool (4 threads): more at once only queues, and memory grows with each. */
export const HASH_CONCURRENCY = 4;

async function hashAll(hasher: PasswordHasher, rows: ValidRow[]): Promise<Map<number, string>> {
  const hashes = new Map<number, string>();
  const withPassword = rows.filter((r) => r.password !== undefined);
  let next = 0;
  const worker = async () => {
    while (next < withPassword.length) {
      const row = withPassword[next++]!;
      hashes.set(row.line, await hasher.hash(row.password!));
    }
  };
  await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, withPassword.length) }, worker));
  return hashes;
}

async function insertLinks(trx: Knex.Transaction, orgId: string, rows: ValidRow[], added: Array<{ id: string; username: string }>): Promise<void> {
  const byName = new Map(rows.filter((r) => r.link).map((r) => [r.username.toLowerCase(), r.link!]));
  const links = added.flatMap((m) => {
    const link = byName.get(m.username.toLowerCase());
    return link ? [{ memberId: m.id, login: m.username, ...link }] : [];
  });
  if (links.length === 0) return;
  await trx.raw(
    `insert into identity_links (org_id, member_id, source, external_id, login)
     select ?::uuid, t.* from unnest(?::uuid[], ?::text[], ?::text[], ?::text[]) as t
     on conflict do nothing`,
    [orgId, links.map((l) => l.memberId), links.map((l) => l.source), links.map((l) => l.externalId), links.map((l) => l.login)],
  );
}

export async function applyBatch(
  deps: { db: Knex; hasher: PasswordHasher; invitations: InvitationIssuer },
  scope: Scope,
  run: Pick<RunRow, 'id' | 'mode' | 'applied_through_line'>,
  batch: PlannedBatch,
): Promise<number> {
  // Rows of batches that committed before an interruption are members now and were already left out.
  const rows = batch.rows.filter((r) => r.line > run.applied_through_line);
  const invitations = rows.filter((r) => r.invitation);
  const members = rows.filter((r) => !r.invitation);
  const hashes = await hashAll(deps.hasher, members);
  return deps.db.transaction(async (trx) => {
    if (invitations.length > 0) {
      await deps.invitations.issue(trx, scope, run.mode as ModeId, invitations.map((r) => ({
        line: r.line, email: r.email, username: r.username === r.email ? null : r.username, firstName: r.firstName, lastName: r.lastName, userTypeId: r.userTypeId, roleId: r.roleId,
      })));
    }
    await assertWithinMembershipLimit(trx, scope.orgId, members.length);
    const bulk: BulkMember[] = members.map((r) => ({
      username: r.username, email: r.email, firstName: r.firstName, lastName: r.lastName, displayName: r.displayName, description: r.description,
      userTypeId: r.userTypeId, roleId: r.roleId, status: 'active', source: r.source,
      // R-MEM-5: a password an administrator set is temporary.
      passwordHash: hashes.get(r.line) ?? null, mustChangePassword: hashes.has(r.line),
    }));
    const added = await bulkInsertMembers(trx, scope.orgId, scope.actor, bulk);
    await insertLinks(trx, scope.orgId, members, added);
    await trx('import_runs').where('id', run.id).update({ applied_through_line: batch.lastLine, created: trx.raw('created + ?', [added.length]), updated_at: trx.fn.now() });
    return added.length;
  });
}
