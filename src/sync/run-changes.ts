import type { Knex } from 'knex';
import type { SyncChangeRow } from '../store/tables/sync.ts';
import type { AttributeChange, Change } from './sync-types.ts';
import { getRun } from './sync-runs.ts';

declare module '../store/tables/column-types.ts' {
  interface ColumnTypes {
    'sync_changes.attributes': AttributeChange[];
  }
}

// A run's full change list, one row per change named by login with its attribute changes: written
// as the run goes (one statement per batch), read back a page at a time, or as CSV in chunks by id
// so that a run of 100,000 changes never sits whole in memory.

export interface RunChange {
  action: string;
  login: string;
  externalId: string;
  detail: string | null;
  attributes: AttributeChange[];
}

export async function recordChanges(db: Knex, runId: string, changes: Change[]): Promise<void> {
  for (let i = 0; i < changes.length; i += 5000) {
    const part = changes.slice(i, i + 5000);
    await db.raw(
      `insert into sync_changes (run_id, action, login, external_id, detail, attributes)
       select ?::uuid, t.action, t.login, t.external_id, t.detail, t.attributes::jsonb
         from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) as t(action, login, external_id, detail, attributes)`,
      [
        runId,
        part.map((c) => c.action),
        part.map((c) => c.name),
        part.map((c) => c.externalId),
        part.map((c) => c.detail ?? null),
        part.map((c) => (c.attributes?.length ? JSON.stringify(c.attributes) : null)),
      ] as Knex.RawBinding[],
    );
  }
}

const toChange = (r: SyncChangeRow): RunChange => ({
  action: r.action,
  login: r.login,
  externalId: r.external_id,
  detail: r.detail,
  attributes: r.attributes ?? [],
});

export async function listChanges(
  db: Knex,
  orgId: string,
  runId: string,
  paging: { page: number; pageSize: number },
): Promise<{ items: RunChange[]; total: number; page: number; pageSize: number }> {
  await getRun(db, orgId, runId);
  const [count] = await db('sync_changes').where('run_id', runId).count({ n: '*' });
  const rows = await db('sync_changes')
    .where('run_id', runId)
    .orderBy('id')
    .offset((paging.page - 1) * paging.pageSize)
    .limit(paging.pageSize)
    .select('*');
  return { items: rows.map(toChange), total: Number(count?.n ?? 0), ...paging };
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The change list as CSV lines (header first), read in chunks by id. */
export async function* changesCsv(db: Knex, orgId: string, runId: string): AsyncGenerator<string> {
  await getRun(db, orgId, runId);
  yield 'action,login,externalId,detail,attributes\n';
  let after = 0;
  for (;;) {
    const rows = await db('sync_changes')
      .where('run_id', runId)
      .andWhere('id', '>', after)
      .orderBy('id')
      .limit(5000)
      .select('*');
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows
      .map(toChange)
      .map((c) =>
        [
          c.action,
          c.login,
          c.externalId,
          c.detail ?? '',
          c.attributes.map((a) => `${a.field}: ${a.before ?? ''} → ${a.after ?? ''}`).join('; '),
        ]
          .map(csvCell)
          .join(','),
      )
      .map((line) => `${line}\n`)
      .join('');
  }
}
