import { rawRows } from '../store/raw-rows.ts';
import type { Knex } from 'knex';
import { migrationStatus } from '../store/migrations.ts';

// A consistent copy of every table, read inside one REPEATABLE READ, READ ONLY transaction: one
// snapshot of the database even while the daemon keeps writing (on PGlite, which has one
// connection, the daemon's own writes wait for the copy). Rows travel as PostgreSQL's own JSON
// for each row (row_to_json), which json_populate_recordset reads back exactly: bytea, jsonb,
// timestamps and arrays included.

const BATCH = 1000;
/**
 * Not copied: knex's bookkeeping (the head lists the migrations; a restore applies them) and the
 * processes of the copied database, which are not those of the restored one.
 */
const SKIPPED = new Set(['knex_migrations', 'knex_migrations_lock', 'instances']);

interface SnapshotHead {
  migrations: string[];
  database: string;
}

export type SnapshotLine =
  | ({ kind: 'head' } & SnapshotHead)
  | { kind: 'rows'; table: string; rows: unknown[] }
  | { kind: 'end'; tables: Record<string, number> };

/** The application's tables, each after the tables its foreign keys point to. */
async function tablesInOrder(db: Knex): Promise<string[]> {
  const tables = (
    await rawRows<{ name: string }>(
      db,
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = current_schema() and c.relkind in ('r', 'p') order by c.relname`,
    )
  )
    .map((r) => r.name)
    .filter((name) => !SKIPPED.has(name));
  const edges = await rawRows<{ child: string; parent: string }>(
    db,
    `select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
       from pg_constraint c join pg_namespace n on n.oid = c.connamespace
       where c.contype = 'f' and n.nspname = current_schema()`,
  );
  const unquote = (name: string) => name.replace(/^"|"$/g, '');
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges)
    if (unquote(e.child) !== unquote(e.parent))
      parents.get(unquote(e.child))?.add(unquote(e.parent));
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visit = (table: string, path: Set<string>) => {
    if (placed.has(table) || path.has(table)) return;
    path.add(table);
    for (const parent of parents.get(table) ?? []) visit(parent, path);
    placed.add(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return ordered;
}

export async function* snapshot(db: Knex, kind: string): AsyncGenerator<SnapshotLine> {
  const trx = await db.transaction({ isolationLevel: 'repeatable read', readOnly: true });
  try {
    const status = await migrationStatus(trx);
    yield { kind: 'head', migrations: status.applied, database: kind };
    const counts: Record<string, number> = {};
    for (const table of await tablesInOrder(trx)) {
      counts[table] = 0;
      // Pages by physical position: stable inside one snapshot, and each page an index-free
      // range scan of the table.
      let after = '(0,0)';
      for (;;) {
        const rows = await rawRows<{ at: string; r: unknown }>(
          trx,
          'select t.ctid::text as at, row_to_json(t) as r from ?? t where t.ctid > ?::tid order by t.ctid limit ?',
          [table, after, BATCH],
        );
        if (rows.length === 0) break;
        counts[table] += rows.length;
        after = rows.at(-1)!.at;
        yield { kind: 'rows', table, rows: rows.map((row) => row.r) };
        if (rows.length < BATCH) break;
      }
    }
    yield { kind: 'end', tables: counts };
    await trx.commit();
  } catch (error) {
    await trx.rollback();
    throw error;
  } finally {
    if (!trx.isCompleted()) await trx.rollback();
  }
}
