import test from 'ava';
import knexFactory, { type Knex } from 'knex';
import { runOneStatement } from '../../src/store/one-statement.ts';
import { STATEMENTS_PER_CONNECTION, selectRows } from '../../src/store/prepared-select.ts';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';

// On PostgreSQL a hot read runs as a named prepared statement, planned once per connection. A SCIM
// client chooses its filters, and each filter form is a statement text of its own: one connection
// must not keep a statement for every form it is sent.

if (databaseKinds().includes('postgres')) {
  /**
   * A fresh database reached through one connection, so that every statement lands on the
   * connection whose prepared statements are read.
   */
  const onOneConnection = async (work: (knex: Knex, url: string) => Promise<void>) => {
    const pg = await createPostgresDatabase();
    const knex = knexFactory({ client: 'pg', connection: pg.url, pool: { min: 1, max: 1 } });
    try {
      await work(knex, pg.url);
    } finally {
      await knex.destroy();
      await pg.drop();
    }
  };

  test('a connection keeps a bounded number of prepared statements, and every query is answered', (t) =>
    onOneConnection(async (knex) => {
      const form = (n: number) => knex.select(knex.raw(`?::int + ${n} as answer`, [1]));
      const forms = STATEMENTS_PER_CONNECTION + 20;
      for (let n = 0; n < forms; n++) {
        const rows = await selectRows<{ answer: number }>(knex, form(n));
        t.deepEqual(rows, [{ answer: n + 1 }]);
      }
      // A form seen before is still answered from its statement, past the bound too.
      t.deepEqual(await selectRows<{ answer: number }>(knex, form(0)), [{ answer: 1 }]);
      t.deepEqual(await selectRows<{ answer: number }>(knex, form(forms - 1)), [{ answer: forms }]);
      const kept = await knex.raw<{ rows: Array<{ n: number }> }>(
        'select count(*)::int as n from pg_prepared_statements',
      );
      t.is(kept.rows[0]!.n, STATEMENTS_PER_CONNECTION);
    }));

  test('a read prepared before a migration added a column answers with it, as the previous release must during an upgrade', (t) =>
    onOneConnection(async (knex, url) => {
      await knex.raw('create table things (id int primary key)');
      await knex('things').insert({ id: 1 });
      const read = () => selectRows<Record<string, unknown>>(knex, knex('things').where('id', 1));
      t.deepEqual(await read(), [{ id: 1 }]);
      // As a newer release's migration would, from another process.
      const other = knexFactory({ client: 'pg', connection: url });
      await other.raw("alter table things add column label text not null default 'one'");
      await other.destroy();
      t.deepEqual(await read(), [{ id: 1, label: 'one' }]);
      t.deepEqual(await read(), [{ id: 1, label: 'one' }]);
    }));

  test('a write of several parts is prepared once per connection, and never inside a transaction', (t) =>
    onOneConnection(async (knex) => {
      await knex.raw('create table notes (id serial primary key, body text not null)');
      await knex.raw('create table note_log (note_id int not null, what text not null)');
      const write = (db: Knex | Knex.Transaction, body: string) =>
        runOneStatement<{ id: number }>(
          db,
          [
            {
              name: 'n',
              sql: 'insert into notes (body) values (?) returning id',
              bindings: [body],
            },
            {
              name: 'l',
              sql: "insert into note_log (note_id, what) select id, 'added' from n",
              bindings: [],
            },
          ],
          'select id from n',
        );
      const prepared = async () =>
        (
          await knex.raw<{ rows: Array<{ statement: string }> }>(
            "select statement from pg_prepared_statements where statement like 'with n as%'",
          )
        ).rows;
      t.deepEqual(await write(knex, 'first'), [{ id: 1 }]);
      t.deepEqual(await write(knex, 'second'), [{ id: 2 }]);
      t.is((await prepared()).length, 1);
      // A write in a transaction runs as is: once the connection has dropped its statements, such
      // a write prepares none.
      await knex.transaction(async (trx) => {
        t.deepEqual(await write(trx, 'third'), [{ id: 3 }]);
      });
      await knex.raw('deallocate all');
      await knex.transaction((trx) => write(trx, 'fourth'));
      t.deepEqual(await prepared(), []);
      const log = await knex('note_log').orderBy('note_id').select('note_id');
      t.deepEqual(
        log.map((row) => row.note_id),
        [1, 2, 3, 4],
      );
    }));
} else {
  test('bounded prepared statements need DATABASE_URL (CI sets it)', (t) => {
    t.is(process.env.DATABASE_URL, undefined);
  });
}
