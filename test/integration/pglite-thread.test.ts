import test from 'ava';
import { type Database, openDatabase } from '../../src/store/database.ts';

// The embedded database runs in a worker thread of its own, and knex's connections are sessions
// of its one backend: the daemon's thread stays free while a statement runs, and a transaction
// keeps the backend to itself until it ends.

const opened: Database[] = [];
async function embedded(): Promise<Database> {
  const database = await openDatabase({ dataDir: 'memory://' });
  opened.push(database);
  await database.knex.raw('create table t (id int primary key)');
  return database;
}
test.after.always(() => Promise.all(opened.map((database) => database.close())));

test('a long statement leaves the event loop free', async (t) => {
  const { knex } = await embedded();
  const order: string[] = [];
  const timer = new Promise((resolve) => setTimeout(resolve, 50)).then(() => order.push('timer'));
  await knex.raw('select pg_sleep(1)').then(() => order.push('statement'));
  await timer;
  // In the daemon's own thread the statement would end first: no timer runs while it works.
  t.deepEqual(order, ['timer', 'statement']);
});

test('a statement from outside a transaction waits for it and is not part of it', async (t) => {
  const { knex } = await embedded();
  let outside: Promise<unknown> = Promise.resolve();
  await t.throwsAsync(
    knex.transaction(async (trx) => {
      await trx('t').insert({ id: 1 });
      // A query builder runs once awaited: `then` sends it now.
      outside = knex('t')
        .insert({ id: 2 })
        .then(() => 'inserted');
      // Time for the outside insert to reach the database while the transaction is open.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await trx('t').insert({ id: 3 });
      t.deepEqual(await trx('t').orderBy('id').pluck('id'), [1, 3]);
      throw new Error('roll back');
    }),
    { message: 'roll back' },
  );
  t.is(await outside, 'inserted');
  t.deepEqual(await knex('t').pluck('id'), [2]);
});

test('statements from several connections at once all run, each answered with its own rows', async (t) => {
  const { knex } = await embedded();
  await Promise.all(Array.from({ length: 40 }, (_, id) => knex('t').insert({ id })));
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, id) => knex('t').where({ id }).pluck('id')),
  );
  t.deepEqual(
    answers,
    Array.from({ length: 40 }, (_, id) => [id]),
  );
});

test('a database error keeps the fields use cases read', async (t) => {
  const { knex } = await embedded();
  await knex('t').insert({ id: 7 });
  const error = await t.throwsAsync(knex('t').insert({ id: 7 }));
  t.like(error as unknown as Record<string, unknown>, { code: '23505', constraint: 't_pkey' });
  t.regex(error?.message ?? '', /duplicate key value violates unique constraint "t_pkey"/);
});
