import { randomBytes } from 'node:crypto';
import test from 'ava';
import { type Database, openDatabase } from '../../src/store/database.ts';

// bytea on the embedded database goes through Node's hex codec (src/store/pglite-bytea.ts): every
// byte value, a view into a larger buffer and an empty value come back as they went in, from a
// statement named outside a transaction and from one run unnamed inside it.

let database: Database;
test.before(async () => {
  database = await openDatabase({ dataDir: 'memory://' });
  await database.knex.raw('create table blobs (id int primary key, data bytea not null)');
});
test.after.always(() => database?.close());

const read = async (id: number) =>
  Buffer.from((await database.knex('blobs').where({ id }).first('data')).data as Uint8Array);

test('every byte value and a MiB of random bytes come back unchanged, in and out of a transaction', async (t) => {
  const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const mebibyte = randomBytes(1 << 20);
  await database.knex('blobs').insert({ id: 1, data: everyByte });
  await database.knex.transaction((trx) => trx('blobs').insert({ id: 2, data: mebibyte }));
  t.true((await read(1)).equals(everyByte));
  t.true((await read(2)).equals(mebibyte));
  const [{ length }] = (
    await database.knex.raw('select length(data)::int as length from blobs where id = 2')
  ).rows;
  t.is(length, 1 << 20, 'PostgreSQL holds the bytes themselves, not their hex text');
});

test('a view stores only its own bytes, and an empty value stays empty', async (t) => {
  const whole = Buffer.from('0123456789');
  await database.knex('blobs').insert({ id: 3, data: whole.subarray(2, 5) });
  await database.knex('blobs').insert({ id: 4, data: new Uint8Array(0) });
  t.is((await read(3)).toString(), '234');
  t.is((await read(4)).length, 0);
});
