import test from 'ava';
import { loadCatalog } from '../../src/catalog/catalog-store.ts';
import { createMember } from '../../src/members/member-service.ts';
import { eachDatabase } from '../helpers/databases.ts';

// Reads made inside a transaction share its one connection. pg 8 warns (and pg 9 will refuse)
// when a query is sent there while another one runs; loading the catalog and presenting a
// member, both used within transactions, must send their queries one at a time.

const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(warning.message));

eachDatabase((kind, fixture) => {
  test.serial(
    `[${kind}] the catalog and a created member are read inside a transaction one query at a time`,
    async (t) => {
      const f = fixture();
      const scope = await f.newOrg();
      const catalog = await f.database.knex.transaction((trx) => loadCatalog(trx, scope.orgId));
      t.true(
        catalog.roles.some((r) => r.name === 'User') &&
          catalog.userTypes.some((u) => u.name === 'Creator'),
      );
      const member = await createMember(f.deps, scope, {
        username: 'one.at.a.time',
        email: 'one@example.org',
        displayName: 'One',
        password: 'Harbour-5521-x',
      });
      t.is(member.username, 'one.at.a.time');
      // Node emits warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      t.deepEqual(
        warnings.filter((w) => /already executing a query/.test(w)),
        [],
      );
    },
  );
});
