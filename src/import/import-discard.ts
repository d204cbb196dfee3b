import type { Knex } from 'knex';
import { type Scope, requireWrite } from '../access/actor.ts';
import { ConflictError } from '../errors.ts';
import { affectedRows } from '../store/affected-rows.ts';
import { findRunRow } from './import-store.ts';

// A validated run that will not be applied (the file was corrected and validated again, or set
// aside) is discarded at once: its stored file holds passwords, sealed but still a copy, that
// would otherwise wait for retention. Runs that were applied, or began to be, are history and stay.

export async function discardImport(db: Knex, scope: Scope, id: string): Promise<void> {
  requireWrite(scope.actor);
  const row = await findRunRow(db, scope.orgId, id);
  // The status is checked again in the delete itself: an apply that starts meanwhile wins.
  const deleted = affectedRows(
    await db('import_runs')
      .where({ id: row.id, org_id: scope.orgId, status: 'validated' })
      .delete(),
  );
  if (deleted === 0)
    throw new ConflictError(
      `import ${row.id} is ${row.status === 'validated' ? 'being applied' : row.status}: only a validated import that was not applied can be discarded`,
    );
}
