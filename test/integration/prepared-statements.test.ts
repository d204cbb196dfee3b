import test from 'ava';
import knexFactory from 'knex';
import { STATEMENTS_PER_CONNECTION, selectRows } from '../../src/store/prepared-select.ts';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';

// On PostgreSQL a hot read runs as a named prepared statement, planned once per connection. A SCIM
// client chooses its filters, and each filter form is a statement text of its own: one connection
// must not keep a statement for every form it is sent.

if (databaseKinds().includes('postgres')) {
  test('a connection keeps a bounded number of prepared statements, and every query is answered', async (t) => {
    const pg = await createPostgresDatabase();
    // One connection, so that every statement below lands on the connection the count is read on.
    const knex = knexFactory({ client: 'pg', connection: pg.url, pool: { min: 1, max: 1 } });
    try {
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
    } finally {
      await knex.destroy();
      await pg.drop();
    }
  });
} else {
  test('bounded prepared statements need DATABASE_URL (CI sets it)', (t) => {
    t.is(process.env.DATABASE_URL, undefined);
  });
}
