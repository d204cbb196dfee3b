import test from 'ava';
import type { Knex } from 'knex';
import { parseProjection } from '../../src/scim/projection.ts';
import { createGroup, getGroup, patchGroup } from '../../src/scim/scim-groups.ts';
import { createUser } from '../../src/scim/user-create.ts';
import { eachDatabase } from '../helpers/databases.ts';
import { scimContextIn } from '../helpers/scim.ts';
import { loadCatalog } from '../../src/catalog/catalog-store.ts';
import { bulkInsertMembers } from '../../src/members/member-bulk-insert.ts';

// Group membership at scale is a property of the SQL: these tests watch every statement.

function recordQueries(knex: Knex): { statements: string[]; stop(): void } {
  const statements: string[] = [];
  const listener = (query: { sql: string }) => statements.push(query.sql);
  knex.on('query', listener);
  return { statements, stop: () => knex.off('query', listener) };
}

eachDatabase((kind, fixture) => {
  test(`[${kind}] adding and removing members touches only those members; excludedAttributes=members never reads memberships`, async (t) => {
    const f = fixture();
    const ctx = await scimContextIn(f);
    const user = async (n: number) =>
      (
        await createUser(ctx, {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `m${n}@example.org`,
        })
      ).resource.id as string;
    const ids = [await user(1), await user(2), await user(3)];
    const group = (
      await createGroup(ctx, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Big',
        members: [{ value: ids[0] }, { value: ids[1] }],
      })
    ).resource.id as string;
    const before = await f.database
      .knex('memberships')
      .where('group_id', group)
      .select('member_id', 'created_at');

    const watch = recordQueries(f.database.knex);
    await patchGroup(ctx, group, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: ids[2] }] },
        { op: 'remove', path: `members[value eq "${ids[0]}"]` },
      ],
    });
    watch.stop();
    const touching = watch.statements.filter((sql) => /memberships/.test(sql));
    t.true(touching.length > 0);
    for (const sql of touching)
      t.regex(
        sql,
        /^(insert into memberships .*unnest|delete from "memberships" where "group_id" = \$1 and member_id = any)/,
        sql,
      );

    const after = await f.database
      .knex('memberships')
      .where('group_id', group)
      .select('member_id', 'created_at');
    const kept = after.find((m) => m.member_id === ids[1]);
    t.deepEqual(
      kept?.created_at,
      before.find((m) => m.member_id === ids[1])?.created_at,
      'the untouched membership row was not rewritten',
    );
    t.deepEqual(after.map((m) => m.member_id).sort(), [ids[1], ids[2]].sort());

    const read = recordQueries(f.database.knex);
    const light = await getGroup(ctx, group, parseProjection(undefined, 'members'));
    read.stop();
    t.false('members' in light.resource);
    t.false(
      read.statements.some((sql) => /memberships/.test(sql)),
      read.statements.join('\n'),
    );
  });

  // The embedded database has one connection, whose prepared statements are all in view. With
  // thousands of members analyzed, a PATCH that adds one member through an array parameter was
  // planned again on every run (PostgreSQL took the unseen array for ten members).
  if (kind === 'pglite')
    test(`[${kind}] a PATCH adding one member is a statement planned once, not on every run`, async (t) => {
      const f = fixture();
      const ctx = await scimContextIn(f);
      const { scope } = ctx;
      const { roles, userTypes } = await loadCatalog(f.database.knex, scope.orgId);
      const userTypeId = userTypes.find((type) => type.name === 'Creator')!.id!;
      const roleId = roles.find((role) => role.name === 'User')!.id!;
      const members = await f.database.knex.transaction((trx) =>
        bulkInsertMembers(
          trx,
          scope.orgId,
          scope.actor,
          Array.from({ length: 10_000 }, (_, i) => ({
            username: `p${i}@example.org`,
            email: `p${i}@example.org`,
            firstName: 'Plan',
            lastName: `Member${i}`,
            displayName: `Plan Member${i}`,
            userTypeId,
            roleId,
            status: 'active' as const,
            source: 'scim',
          })),
        ),
      );
      const group = (
        await createGroup(ctx, {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: 'Planned once',
        })
      ).resource.id as string;
      await f.database.knex.raw('analyze members, groups, memberships');
      const added = members.slice(0, 10).map((m) => m.id);
      for (const id of added)
        await patchGroup(ctx, group, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
        });
      const plans = await f.database
        .knex('pg_prepared_statements')
        .whereLike('statement', 'with g as (update groups %')
        .select('generic_plans', 'custom_plans');
      t.is(plans.length, 1, JSON.stringify(plans));
      t.true(Number(plans[0]!.generic_plans) > 0, JSON.stringify(plans));
      const now = await f.database.knex('memberships').where('group_id', group).pluck('member_id');
      t.deepEqual(now.sort(), [...added].sort());
    });
});
