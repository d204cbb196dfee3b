import type { Knex } from 'knex';

/**
 * One step of a sync run. It plans by reading through `q` and hands what it would change to
 * `write`. A run that applies gives each step one transaction, so the reads and the writes of a
 * step see the same state; a preview gives the database and drops the writes, so previewing and
 * applying share every line of planning.
 */
export interface RunStep {
  readonly q: Knex | Knex.Transaction;
  readonly preview: boolean;
  write(apply: (trx: Knex.Transaction) => Promise<unknown>): Promise<void>;
}

/** Runs `work` as one step: in a transaction, or, for a preview, without one and writing nothing. */
export function inStep<T>(
  db: Knex,
  preview: boolean,
  work: (step: RunStep) => Promise<T>,
): Promise<T> {
  if (preview) return work({ q: db, preview: true, write: async () => undefined });
  return db.transaction((trx) =>
    work({
      q: trx,
      preview: false,
      write: async (apply) => {
        await apply(trx);
      },
    }),
  );
}
