import test from 'ava';
import type { Knex } from 'knex';
import { patchUser } from '../../src/scim/scim-users.ts';
import { createUser } from '../../src/scim/user-create.ts';
import { eachDatabase } from '../helpers/databases.ts';

// Every write to a member sets updated_at and version. While no index holds either, a write that
// changes no indexed column (a title, a phone number, a PATCH from an identity provider) updates
// the row in place (a heap-only tuple): PostgreSQL then adds no entry to any of the table's eleven
// indexes, two of them GIN indexes whose pending lists would otherwise fill with each write.

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Rows of members updated, and of those in place, by the current transaction so far. */
async function updatesSoFar(trx: Knex.Transaction): Promise<{ all: number; inPlace: number }> {
  const { rows } = await trx.raw(
    `select pg_stat_get_xact_tuples_updated('members'::regclass)::int as "all",
            pg_stat_get_xact_tuples_hot_updated('members'::regclass)::int as "inPlace"`,
  );
  return rows[0];
}

eachDatabase((kind, fixture) => {
  test(`[${kind}] a SCIM PATCH of attributes no index holds updates the member in place`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    await f.database.knex.transaction(async (trx) => {
      const ctx = { db: trx, hasher: f.deps.hasher, scope, base: 'http://scim.test/scim/v2' };
      const { resource } = await createUser(ctx, {
        schemas: [USER],
        userName: 'in.place@example.org',
        name: { givenName: 'In', familyName: 'Place' },
      });
      const before = await updatesSoFar(trx);
      for (const title of ['Surveyor', 'Cartographer'])
        await patchUser(ctx, resource.id as string, {
          schemas: [PATCH],
          Operations: [
            { op: 'replace', path: 'title', value: title },
            { op: 'replace', path: 'phoneNumbers', value: [{ value: '+33 1 23 45 67 89' }] },
          ],
        });
      const after = await updatesSoFar(trx);
      t.is(after.all - before.all, 2);
      t.is(after.inPlace - before.inPlace, 2, 'each PATCH wrote new index entries');

      // A change of an indexed column (the family name is in the search text) cannot stay in place.
      await patchUser(ctx, resource.id as string, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'name.familyName', value: 'Moved' }],
      });
      const renamed = await updatesSoFar(trx);
      t.is(renamed.all - after.all, 1);
      t.is(renamed.inPlace - after.inPlace, 0);
    });
  });
});
