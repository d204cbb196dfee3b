import test from 'ava';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_STATEMENTS, pgliteStatements } from '../../src/store/pglite-statements.ts';

// The embedded database's thread runs a statement with parameters as a named prepared statement:
// each answer must be the one PGlite's own query gives, and a statement must keep answering after
// an error and after its table changes.

async function database() {
  const pglite = new PGlite();
  await pglite.exec(`create table people (
    id uuid primary key, name text not null, tags text[] not null, profile jsonb,
    born timestamptz, score numeric, photo bytea)`);
  return { pglite, statements: pgliteStatements(pglite) };
}

const prepared = async (pglite: PGlite) =>
  (
    await pglite.query<{ n: number }>(
      "select count(*)::int as n from pg_prepared_statements where name like 'provisiond_%'",
    )
  ).rows[0]!.n;

test('answers as PGlite does, with every kind of value, preparing each statement once', async (t) => {
  const { pglite, statements } = await database();
  const insert =
    'insert into people (id, name, tags, profile, born, score, photo) values ($1, $2, $3, $4, $5, $6, $7) returning *';
  const values = [
    ['5a1e8c36-4f0e-4a8e-9d55-2d0c1b0f6a01', 'Ada', ['a', 'b "quoted"'], { k: [1, 'two'] }],
    ['5a1e8c36-4f0e-4a8e-9d55-2d0c1b0f6a02', 'Bob', [], null],
  ];
  for (const [id, name, tags, profile] of values) {
    const params = [
      id,
      name,
      tags,
      profile,
      new Date('2026-12-01T10:00:00Z'),
      '12.50',
      new Uint8Array([0, 1, 255]),
    ];
    const ours = await statements.query(insert, params);
    t.is(ours.affectedRows, 1);
    const theirs = await pglite.query('select * from people where id = $1', [id]);
    t.deepEqual(ours.rows, theirs.rows);
    t.deepEqual(
      ours.fields.map((f) => f.name),
      theirs.fields.map((f) => f.name),
    );
  }
  const read = 'select name, tags, profile from people where name = any($1) order by name';
  const rows = (await statements.query(read, [['Ada', 'Bob']])).rows;
  t.deepEqual(rows, (await pglite.query(read, [['Ada', 'Bob']])).rows);
  t.deepEqual(rows, [
    { name: 'Ada', tags: ['a', 'b "quoted"'], profile: { k: [1, 'two'] } },
    { name: 'Bob', tags: [], profile: null },
  ]);
  // Two statement texts with parameters, each named once, however often run.
  t.is(await prepared(pglite), 2);
  // A statement without parameters runs as is, and so does a bulk one.
  t.deepEqual((await statements.query('select 1 as one', [])).rows, [{ one: 1 }]);
  const many = Array.from({ length: 150 }, (_, i) => i);
  const sum = `select ${many.map((i) => `$${i + 1}::int`).join(' + ')} as total`;
  t.deepEqual((await statements.query(sum, many)).rows, [{ total: (149 * 150) / 2 }]);
  t.is(await prepared(pglite), 2);
  // Nor is a statement first met inside a transaction; one named before runs named there too.
  await pglite.exec('begin');
  t.deepEqual((await statements.query('select $1::int as n', [7])).rows, [{ n: 7 }]);
  t.is((await statements.query(read, [['Ada']])).rows.length, 1);
  await pglite.exec('commit');
  t.is(await prepared(pglite), 2);
});

test('an error is PostgreSQL’s, writes nothing, and the statement answers afterwards', async (t) => {
  const { pglite, statements } = await database();
  const insert = 'insert into people (id, name, tags) values ($1, $2, $3)';
  const id = '5a1e8c36-4f0e-4a8e-9d55-2d0c1b0f6a03';
  await statements.query(insert, [id, 'Cy', []]);
  const duplicate = await t.throwsAsync(statements.query(insert, [id, 'Cy again', []]));
  t.is((duplicate as { code?: string }).code, '23505');
  const notNull = await t.throwsAsync(
    statements.query(insert, ['5a1e8c36-4f0e-4a8e-9d55-2d0c1b0f6a04', null, []]),
  );
  t.is((notNull as { code?: string }).code, '23502');
  t.regex(notNull!.message, /"name"/);
  await statements.query(insert, ['5a1e8c36-4f0e-4a8e-9d55-2d0c1b0f6a05', 'Di', []]);
  const names = (await pglite.query<{ name: string }>('select name from people order by name'))
    .rows;
  t.deepEqual(
    names.map((r) => r.name),
    ['Cy', 'Di'],
  );
  // A statement that does not parse is refused and kept by no name.
  await t.throwsAsync(statements.query('select nonsense from people where id = $1', [id]), {
    message: /nonsense/,
  });
  t.false(pglite.isInTransaction());
});

test('a statement prepared before its table changed answers with the new columns', async (t) => {
  const { pglite, statements } = await database();
  const read = 'select * from people where id = $1';
  const id = '5a1e8c36-4f0e-4a8e-9d55-2d0c1b0f6a06';
  await pglite.query("insert into people (id, name, tags) values ($1, 'Eve', '{}')", [id]);
  t.false('nickname' in (await statements.query(read, [id])).rows[0]!);
  await pglite.exec("alter table people add column nickname text not null default 'E'");
  t.is(((await statements.query(read, [id])).rows[0] as { nickname: string }).nickname, 'E');
});

test('past its share of named statements, a new form is answered unnamed', async (t) => {
  const { pglite, statements } = await database();
  const forms = PGLITE_STATEMENTS + 10;
  for (let n = 0; n < forms; n++)
    t.deepEqual((await statements.query(`select $1::int + ${n} as answer`, [1])).rows, [
      { answer: n + 1 },
    ]);
  t.deepEqual((await statements.query('select $1::int + 0 as answer', [1])).rows, [{ answer: 1 }]);
  t.is(await prepared(pglite), PGLITE_STATEMENTS);
});
