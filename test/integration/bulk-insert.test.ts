import test from 'ava';
import { LOCAL_ADMIN } from '../../src/access/actor.ts';
import { loadCatalog } from '../../src/catalog/catalog-store.ts';
import { bulkInsertMembers, BULK_BATCH } from '../../src/members/member-bulk-insert.ts';
import { eachDatabase } from '../helpers/databases.ts';

eachDatabase((kind, fixture) => {
  test(`[${kind}] the bulk path inserts across batches, audits each row, and adds nothing twice`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const { roles, userTypes } = await loadCatalog(f.database.knex, scope.orgId);
    const n = BULK_BATCH + 7;
    const rows = Array.from({ length: n }, (_, i) => ({
      username: `bulk.${String(i).padStart(6, '0')}`,
      email: `b${i}@example.org`,
      firstName: 'B',
      lastName: `N${i}`,
      displayName: `B N${i}`,
      userTypeId: userTypes.find((u) => u.name === 'Creator')!.id,
      roleId: roles.find((r) => r.name === 'User')!.id,
      status: 'active' as const,
      source: 'file',
    }));
    const first = await f.database.knex.transaction((trx) =>
      bulkInsertMembers(trx, scope.orgId, LOCAL_ADMIN, rows),
    );
    t.is(first.length, n);
    const again = await f.database.knex.transaction((trx) =>
      bulkInsertMembers(
        trx,
        scope.orgId,
        LOCAL_ADMIN,
        rows.map((r) => ({ ...r, username: r.username.toUpperCase() })),
      ),
    );
    t.is(again.length, 0, 'usernames are compared without regard to case');
    const members = await f.database
      .knex('members')
      .where('org_id', scope.orgId)
      .count({ n: '*' })
      .first();
    const audited = await f.database
      .knex('audit_log')
      .where({ org_id: scope.orgId, action: 'member.create' })
      .count({ n: '*' })
      .first();
    t.is(Number(members?.n), n);
    t.is(Number(audited?.n), n);
  });
});
