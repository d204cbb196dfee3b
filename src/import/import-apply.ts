import type { Knex } from 'knex';
import type { Scope } from '../access/actor.ts';
import { type NewLink, createLinks } from '../links/identity-links.ts';
import {
  type BulkMember,
  type SharedMemberFields,
  bulkInsertMembers,
} from '../members/member-bulk-insert.ts';
import { assertWithinMembershipLimit } from '../members/member-rules.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import type { ModeId } from './import-modes.ts';
import type { PlannedBatch } from './import-plan.ts';
import type { ImportRunRow } from '../store/tables/imports.ts';
import { type ImportInvitations, issueImportInvitations } from './invitation-issuer.ts';
import type { ValidRow } from './row-validation.ts';

// One batch of a run, in one transaction: invitations (through the invitations' write path),
// members (the bulk path: taken usernames are skipped; the organization's defaults for new
// members applied), their identity links, and the run's resume point. A batch
// that fails rolls back whole; the batches before it stay, and a new apply resumes after them.

/** argon2 runs on libuv's pool (4 threads): more at once only queues, and memory grows with each. */
const HASH_CONCURRENCY = 4;

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
  await Promise.all(
    Array.from({ length: Math.min(HASH_CONCURRENCY, withPassword.length) }, worker),
  );
  return hashes;
}

function linksOf(rows: ValidRow[], added: Array<{ id: string; username: string }>): NewLink[] {
  const byName = new Map(
    rows.filter((r) => r.link).map((r) => [r.username.toLowerCase(), r.link!]),
  );
  return added.flatMap((m) => {
    const link = byName.get(m.username.toLowerCase());
    return link ? [{ memberId: m.id, login: m.username, ...link }] : [];
  });
}

/** What every batch of a run shares. */
export interface RunContext {
  shared: SharedMemberFields;
  invitations: ImportInvitations;
}

/**
 * The batch before this one. This one opens its transaction only after that one opened its own,
 * and commits only after that one committed (or rolls back with it). Opened in file order, the
 * transactions also work on the embedded database, which runs one transaction at a time: a later
 * batch that got there first would wait inside its transaction for an earlier one that cannot
 * begin until it ends.
 */
export interface PreviousBatch {
  started: Promise<void>;
  committed: Promise<unknown>;
}

export interface BatchWrite {
  /** Settles once the batch's transaction is open, or once the batch failed before that. */
  started: Promise<void>;
  /** The members and invitations the batch created, once it committed. */
  done: Promise<number>;
}

const NO_PREVIOUS: PreviousBatch = { started: Promise.resolve(), committed: Promise.resolve() };

export function applyBatch(
  deps: { db: Knex; hasher: PasswordHasher },
  scope: Scope,
  run: Pick<ImportRunRow, 'id' | 'mode' | 'applied_through_line'>,
  batch: PlannedBatch,
  ctx: RunContext,
  previous: PreviousBatch = NO_PREVIOUS,
): BatchWrite {
  let opened!: () => void;
  const started = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const write = async (): Promise<number> => {
    // Rows of batches that committed before an interruption are members now and were already
    // left out.
    const rows = batch.rows.filter((r) => r.line > run.applied_through_line);
    const invitations = rows.filter((r) => r.invitation);
    const members = rows.filter((r) => !r.invitation);
    const hashes = await hashAll(deps.hasher, members);
    await previous.started;
    return deps.db.transaction(async (trx) => {
      opened();
      const invited =
        invitations.length > 0
          ? await issueImportInvitations(
              trx,
              scope,
              run.mode as ModeId,
              invitations,
              ctx.invitations,
            )
          : 0;
      await assertWithinMembershipLimit(trx, scope.orgId, members.length);
      const bulk: BulkMember[] = members.map((r) => ({
        username: r.username,
        email: r.email,
        firstName: r.firstName,
        lastName: r.lastName,
        displayName: r.displayName,
        description: r.description,
        userTypeId: r.userTypeId,
        roleId: r.roleId,
        status: 'active',
        source: r.source,
        // A password an administrator set is temporary.
        passwordHash: hashes.get(r.line) ?? null,
        mustChangePassword: hashes.has(r.line),
      }));
      const added = await bulkInsertMembers(trx, scope.orgId, scope.actor, bulk, ctx.shared);
      await createLinks(trx, scope.orgId, linksOf(members, added));
      const created = invited + added.length;
      await previous.committed;
      await trx('import_runs')
        .where('id', run.id)
        .update({
          applied_through_line: batch.lastLine,
          created: trx.raw('created + ?', [created]),
          updated_at: trx.fn.now(),
        });
      return created;
    });
  };
  return { started, done: write().finally(opened) };
}
