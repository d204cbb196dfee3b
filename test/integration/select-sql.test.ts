import test from 'ava';
import { numberedPlaceholders, selectSql } from '../../src/store/prepared-select.ts';
import { eachDatabase } from '../helpers/databases.ts';

// The SCIM reads are written in PostgreSQL's own form ($1, $2…) and run past knex's compiler,
// except inside a transaction, where they go through knex in its `?` form.

test('a fragment in knex form is numbered in PostgreSQL form from where the statement is', (t) => {
  t.is(numberedPlaceholders('(a = ? or b like ?)', 3), '(a = $3 or b like $4)');
  t.is(numberedPlaceholders('(a is not null)', 2), '(a is not null)');
});

eachDatabase((kind, fixture) => {
  test(`${kind}: a read in PostgreSQL form answers the same outside and inside a transaction`, async (t) => {
    const { knex } = fixture().database;
    // A value used twice and out of order, and a question mark that is an operator, not a value.
    const sql = `select $2::text as label, $1::int + $1::int as twice, '{"a": 1}'::jsonb ? 'a' as has_a`;
    const values = [2, 'x'];
    const outside = await selectSql(knex, sql, values);
    t.deepEqual(outside, [{ label: 'x', twice: 4, has_a: true }]);
    t.deepEqual(await knex.transaction((trx) => selectSql(trx, sql, values)), outside);
  });
});
