import test from 'ava';
import type { Knex } from 'knex';
import { independentQueries } from '../../src/store/independent-queries.ts';

// A transaction is one connection: its reads go one after the other; the pool runs them at once.

function tracked() {
  let running = 0;
  let most = 0;
  const query =
    <T>(value: T) =>
    async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return value;
    };
  return { query, most: () => most };
}

test('inside a transaction the queries run one at a time, in order, and each answer keeps its place', async (t) => {
  const { query, most } = tracked();
  const trx = { isTransaction: true } as unknown as Knex.Transaction;
  const [a, b, c] = await independentQueries(trx, [query('roles'), query(2), query(['links'])]);
  t.deepEqual([a, b, c], ['roles', 2, ['links']]);
  t.is(most(), 1);
});

test('on the pool the queries run at once', async (t) => {
  const { query, most } = tracked();
  const pool = {} as unknown as Knex;
  t.deepEqual(await independentQueries(pool, [query(1), query(2), query(3)]), [1, 2, 3]);
  t.is(most(), 3);
});
