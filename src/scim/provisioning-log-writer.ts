import type { Knex } from 'knex';
import {
  type BulkOperationEntry,
  type ProvisioningEntry,
  insertProvisioningEntries,
  recordBulkProvisioning,
} from './provisioning-log.ts';

// The provisioning log is written after each SCIM write is answered. Under load, one insert per
// answer was a third of a write's round trips to the database. Here an entry is written at once
// when no insert is on its way; the entries answered while one is come together in the next. Nothing
// waits on a timer, so an entry is never held back longer than one insert.

/** At most this many entries in one insert. */
const MAX_ROWS = 500;

export interface ProvisioningLogWriter {
  /** Queues the entry of one answered write; for a Bulk request, its operations too. */
  record(entry: ProvisioningEntry, operations?: BulkOperationEntry[]): void;
  /** Resolves once every entry recorded so far is written (or reported lost). */
  drain(): Promise<void>;
}

/**
 * `onError` hears of every entry that could not be written, with the error. A failed insert of
 * several entries is retried entry by entry, so one entry that cannot be written (its organization
 * deleted meanwhile) does not take the others with it.
 */
export function provisioningLogWriter(
  db: Knex,
  onError: (error: unknown, entry: ProvisioningEntry) => void,
): ProvisioningLogWriter {
  let queued: ProvisioningEntry[] = [];
  let writing: Promise<void> | null = null;
  const bulks = new Set<Promise<void>>();

  const insertEach = async (entries: ProvisioningEntry[]) => {
    for (const entry of entries)
      await insertProvisioningEntries(db, [entry]).catch((error: unknown) => onError(error, entry));
  };
  const writeQueued = async () => {
    try {
      while (queued.length > 0) {
        const batch = queued.slice(0, MAX_ROWS);
        queued = queued.slice(MAX_ROWS);
        try {
          await insertProvisioningEntries(db, batch);
        } catch (error) {
          if (batch.length === 1) onError(error, batch[0]!);
          else await insertEach(batch);
        }
      }
    } finally {
      writing = null;
    }
  };

  return {
    record(entry, operations = []) {
      if (operations.length > 0) {
        const written = recordBulkProvisioning(db, entry, operations).catch((error: unknown) =>
          onError(error, entry),
        );
        bulks.add(written);
        void written.finally(() => bulks.delete(written));
        return;
      }
      queued.push(entry);
      writing ??= writeQueued();
    },
    async drain() {
      while (writing || bulks.size > 0) await Promise.all([writing, ...bulks]);
    },
  };
}
