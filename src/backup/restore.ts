import { rawRows } from '../store/raw-rows.ts';
import type { Knex } from 'knex';
import { ConflictError, ValidationError } from '../errors.ts';
import { migrateTo, migrationStatus } from '../store/migrations.ts';
import type { BackupHead } from './backup-file.ts';
import type { SnapshotLine } from './snapshot.ts';

// A restore goes into a fresh database only: it is brought to the backup's schema by the
// migrations (never newer than this release knows), emptied of what the migrations seed, then
// filled in one transaction: a restore that fails leaves no half-restored database behind. The
// counts of every table are checked against the backup's last line. Migrations past the backup's
// are applied afterwards the usual way (`provisiond migrate`, or the daemon with migrate: auto).

export async function restoreInto(
  db: Knex,
  head: BackupHead,
  lines: AsyncIterable<SnapshotLine>,
): Promise<Record<string, number>> {
  const status = await migrationStatus(db);
  const known = new Set([...status.applied, ...status.pending]);
  const unknown = head.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0)
    throw ValidationError.field(
      'file',
      `the backup's schema is newer than this release (${unknown.join(', ')}): restore it with the release that made it, or a later one`,
    );
  if (status.applied.length > 0)
    throw new ConflictError(
      'the target database is not empty: restore into a new data directory or an empty PostgreSQL database',
    );
  await migrateTo(db, head.migrations);
  return db.transaction(async (trx) => {
    // Triggers that keep a table in step with others (organizations' revisions) leave the
    // restored rows as the backup has them.
    await trx.raw("set local provisiond.restoring = 'on'");
    // Each table's columns but the generated ones, which PostgreSQL computes and refuses to be given.
    const columns = new Map(
      (
        await rawRows<{ name: string; columns: string[] }>(
          trx,
          `select c.relname as name, array_agg(a.attname::text order by a.attnum) as columns
           from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
           join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
           where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attgenerated = ''
             and c.relname not in ('knex_migrations', 'knex_migrations_lock', 'instances')
           group by c.relname`,
        )
      ).map((r) => [r.name, r.columns]),
    );
    const tables = [...columns.keys()];
    if (tables.length > 0) await trx.raw(`truncate ${tables.map(() => '??').join(', ')}`, tables);
    const counts: Record<string, number> = {};
    let expected: Record<string, number> | null = null;
    for await (const line of lines) {
      if (line.kind === 'end') {
        expected = line.tables;
        continue;
      }
      if (line.kind !== 'rows') continue;
      const names = columns.get(line.table);
      if (!names)
        throw ValidationError.field(
          'file',
          `the backup has a table this schema lacks: ${line.table}`,
        );
      const list = names.map(() => '??').join(', ');
      await trx.raw(
        `insert into ?? (${list}) select ${list} from json_populate_recordset(null::??, ?::json)`,
        [line.table, ...names, ...names, line.table, JSON.stringify(line.rows)],
      );
      counts[line.table] = (counts[line.table] ?? 0) + line.rows.length;
    }
    if (!expected) throw ValidationError.field('file', 'the backup is truncated (no last line)');
    for (const [table, n] of Object.entries(expected))
      if ((counts[table] ?? 0) !== n)
        throw ValidationError.field(
          'file',
          `the backup is damaged: ${table} should have ${n} rows, it has ${counts[table] ?? 0}`,
        );
    // Serial columns continue after the restored rows.
    const serials = await rawRows<{ t: string; c: string }>(
      trx,
      `select c.table_name as t, c.column_name as c from information_schema.columns c
         where c.table_schema = current_schema() and c.column_default like 'nextval(%'`,
    );
    for (const { t, c } of serials)
      await trx.raw(
        'select setval(pg_get_serial_sequence(?, ?), coalesce(max(??), 1), max(??) is not null) from ??',
        [t, c, c, c, t],
      );
    return counts;
  });
}
