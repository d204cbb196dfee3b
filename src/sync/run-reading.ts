import type { SourceGroup, SourceRead, SourceUser } from '../plugin-api.ts';
import { type GroupBatchContext, syncGroupBatch } from './group-sync.ts';
import { inStep } from './run-step.ts';
import { type UserBatchContext, processUsers } from './user-batch.ts';

// The read of a run, batch by batch: users in batches of 5,000, groups in batches of 500. A batch
// of users is applied while the next one is read, so the directory and the database work at the
// same time. Batches are planned one after the other, in order; with more than one writer, a batch
// is planned and written while earlier ones are still being written, each in its own transaction
// (PostgreSQL then inserts on several backends at once). Groups wait for every user before them:
// their members must be in first.

const USER_BATCH = 5000;
const GROUP_BATCH = 500;

/** The external ids the read has given so far: only after a complete read may others count as gone. */
export interface SeenRecords {
  users: Set<string>;
  groups: Set<string>;
}

/**
 * Reads every record and applies it in batches, at most `writers` batches of users being written
 * at once; `afterBatch` runs after each batch (progress, change list, lease). A failure stops the
 * read after the batches being applied have ended, so the run record is written after the last
 * write.
 */
export async function readInBatches(
  read: SourceRead,
  users: UserBatchContext,
  groups: GroupBatchContext,
  seen: SeenRecords,
  afterBatch: () => Promise<void>,
  writers = 1,
): Promise<void> {
  let userBatch: SourceUser[] = [];
  let groupBatch: SourceGroup[] = [];
  const applying = new Set<Promise<void>>();
  let lastPlanned: Promise<void> = Promise.resolve();
  const flushUsers = async () => {
    if (userBatch.length === 0) return;
    const batch = userBatch;
    userBatch = [];
    while (applying.size >= writers) await Promise.race(applying);
    // A batch is planned only once the one before is: it must see what that one plans to create.
    await lastPlanned;
    let planned: () => void = () => undefined;
    const isPlanned = new Promise<void>((resolve) => {
      planned = resolve;
    });
    const batchApplied = processUsers(users, batch, planned).then(afterBatch);
    applying.add(batchApplied);
    batchApplied.then(
      () => applying.delete(batchApplied),
      () => undefined,
    );
    lastPlanned = Promise.race([isPlanned, batchApplied]);
    lastPlanned.catch(() => undefined);
  };
  const usersDone = async () => {
    await flushUsers();
    await Promise.all(applying);
  };
  const flushGroups = async () => {
    if (groupBatch.length === 0) return;
    const batch = groupBatch;
    groupBatch = [];
    await inStep(users.db, users.preview, (step) => syncGroupBatch(step, groups, batch));
    await afterBatch();
  };
  try {
    for await (const record of read.records) {
      if (record.kind === 'user') {
        seen.users.add(record.externalId);
        userBatch.push(record);
        if (userBatch.length >= USER_BATCH) await flushUsers();
      } else {
        await usersDone();
        seen.groups.add(record.externalId);
        groupBatch.push(record);
        if (groupBatch.length >= GROUP_BATCH) await flushGroups();
      }
    }
    await usersDone();
    await flushGroups();
  } catch (failure) {
    await Promise.allSettled(applying);
    throw failure;
  }
}
