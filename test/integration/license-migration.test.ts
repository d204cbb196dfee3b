import test from 'ava';
import { createMember } from '../../src/members/member-service.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { eachDatabase } from '../helpers/databases.ts';

// Free-text licences written before the catalog existed become catalog entries with no limit,
// every member keeps them under one spelling, and the migration reports what it created.

const MIGRATION = '20261129_701_seeds_license_catalog';

eachDatabase((kind, fixture) => {
  test(`[${kind}] free-text licences become catalog entries with no limit, reported in the audit log`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const ada = await createMember(f.deps, scope, {
      username: 'ada.free',
      email: 'ada@example.org',
      firstName: 'Ada',
      lastName: 'Free',
    });
    const bob = await createMember(f.deps, scope, {
      username: 'bob.free',
      email: 'bob@example.org',
      firstName: 'Bob',
      lastName: 'Free',
      userType: 'Viewer',
      role: 'Viewer',
    });
    // The state before the catalog: its table gone, free text on members and in the defaults.
    await db.raw('drop index members_licenses_idx');
    await db.schema.dropTable('licenses');
    await db('knex_migrations').where('name', MIGRATION).delete();
    await db('members')
      .where('id', ada.id)
      .update({ licenses: ['ArcGIS Insights', 'X1'] });
    await db('members')
      .where('id', bob.id)
      .update({ licenses: ['arcgis insights ', 'X2'] });
    await db('organizations')
      .where('id', scope.orgId)
      .update({ new_member_defaults: JSON.stringify({ licenses: ['x2', 'Y3'] }) });

    t.deepEqual(await migrateToLatest(db), [MIGRATION]);

    const catalog = await db('licenses').where('org_id', scope.orgId).orderBy('name');
    const types = await db('user_types').where('org_id', scope.orgId).pluck('id');
    t.deepEqual(
      catalog.map((l) => l.name).sort(),
      ['ArcGIS Insights', 'X1', 'X2', 'Y3'],
      'one entry per name compared without case, named by its first spelling in code-point order',
    );
    for (const license of catalog)
      t.deepEqual(
        [license.quantity, license.migrated, [...license.user_type_ids].sort()],
        [null, true, [...types].sort()],
        license.name,
      );
    const names = new Set(catalog.map((l) => l.name));
    t.deepEqual((await db('members').where('id', ada.id).first())!.licenses, [
      'ArcGIS Insights',
      'X1',
    ]);
    const bobs = (await db('members').where('id', bob.id).first())!.licenses as string[];
    t.deepEqual([...bobs].sort(), ['ArcGIS Insights', 'X2']);
    t.true(bobs.every((n) => names.has(n)));
    t.deepEqual(
      (await db('organizations').where('id', scope.orgId).first())!.new_member_defaults.licenses,
      ['X2', 'Y3'],
    );
    const report = (await db('audit_log')
      .where({ org_id: scope.orgId, action: 'license.migrate' })
      .first())!;
    t.deepEqual([...(report.after as { created: string[] }).created].sort(), [...names].sort());
  });
});
