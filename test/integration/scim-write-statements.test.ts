import test from 'ava';
import type { Knex } from 'knex';
import { LimitError } from '../../src/errors.ts';
import { createLicense } from '../../src/licenses/license-service.ts';
import { createRole } from '../../src/catalog/role-service.ts';
import { updateOrganization } from '../../src/org-settings/organization-settings.ts';
import { createGroup, getGroup, patchGroup } from '../../src/scim/scim-groups.ts';
import { ScimError } from '../../src/scim/scim-error.ts';
import { getUser, patchUser, type ScimContext } from '../../src/scim/scim-users.ts';
import { createUser } from '../../src/scim/user-create.ts';
import { parseProjection } from '../../src/scim/projection.ts';
import { eachDatabase } from '../helpers/databases.ts';

// Serial: the statements of the other tests would mix with the ones counted.
// SCIM writes are one statement that writes the member, its link and its audit entry together,
// after a read: of the member for a PATCH, of the organization and its catalog for the first POST
// to an organization (later ones use what this process read, while the organization has not
// changed). A membership limit or default licences bring back the transaction that counts.

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** An audit entry's before or after document, as far as these tests read it. */
const doc = (value: unknown) =>
  value as {
    id?: string;
    meta?: { created: string };
    externalId?: string;
    title?: string;
    added?: string[];
  };

function recordQueries(knex: Knex): { statements: string[]; stop(): void } {
  const statements: string[] = [];
  const listener = (query: { sql: string }) => statements.push(query.sql);
  knex.on('query', listener);
  return { statements, stop: () => knex.off('query', listener) };
}

/** The organization's member with this username, if any. */
const memberNamed = (ctx: ScimContext & { knex: Knex }, username: string) =>
  ctx.knex('members').where({ org_id: ctx.scope.orgId, username }).first();

eachDatabase((kind, fixture) => {
  const context = async (): Promise<ScimContext & { knex: Knex }> => {
    const f = fixture();
    return {
      db: f.database.knex,
      knex: f.database.knex,
      hasher: f.deps.hasher,
      scope: await f.newOrg(),
      base: 'http://scim.test/scim/v2',
    };
  };

  test.serial(
    `[${kind}] POST and PATCH /Users: member, link and audit entry written together; a POST to a known organization is one statement`,
    async (t) => {
      const ctx = await context();
      const watch = recordQueries(ctx.knex);
      await createUser(ctx, { schemas: [USER], userName: 'first.post@example.org' });
      t.is(watch.statements.length, 2, watch.statements.join('\n'));
      t.regex(watch.statements[0]!, /from "organizations"/);
      watch.statements.length = 0;
      const { resource } = await createUser(ctx, {
        schemas: [USER],
        userName: 'two.statements@example.org',
        externalId: 'ext-1',
        name: { givenName: 'Two', familyName: 'Statements' },
      });
      const created = [...watch.statements];
      watch.statements.length = 0;
      const id = resource.id as string;
      const patched = await patchUser(ctx, id, {
        schemas: [PATCH],
        Operations: [
          { op: 'replace', path: 'title', value: 'Surveyor' },
          { op: 'replace', path: 'externalId', value: 'ext-2' },
        ],
      });
      watch.stop();
      t.is(created.length, 1, created.join('\n'));
      t.is(watch.statements.length, 2, watch.statements.join('\n'));
      for (const sql of [...created, ...watch.statements]) t.notRegex(sql, /^(begin|commit)/i);

      const link = await ctx
        .knex('identity_links')
        .where({ member_id: id, source: 'scim' })
        .first();
      t.is(link?.external_id, 'ext-2');
      const audit = await ctx.knex('audit_log').where('target_id', id).orderBy('id').select('*');
      t.deepEqual(
        audit.map((a) => a.action),
        ['member.create', 'member.update'],
      );
      const [create, update] = audit.map((a) => ({ before: doc(a.before), after: doc(a.after) }));
      t.is(create!.after.id, id);
      t.is(create!.after.meta?.created, (resource.meta as { created: string }).created);
      t.is(update!.before.externalId, 'ext-1');
      t.is(update!.after.title, 'Surveyor');
      t.is(patched.version, 2);
      const read = await getUser(ctx, id, parseProjection(undefined, undefined));
      t.deepEqual(read.resource, patched.resource);
      const row = await ctx.knex('members').where('id', id).first();
      t.is(row?.version, 2);
      t.is(new Date(row!.created_at).toISOString(), (resource.meta as { created: string }).created);
    },
  );

  test.serial(
    `[${kind}] POST /Users after the organization's defaults or catalog change, in this process or another: the new defaults`,
    async (t) => {
      const ctx = await context();
      const post = async (userName: string) => {
        const { resource } = await createUser(ctx, { schemas: [USER], userName });
        const row = await ctx
          .knex('members as m')
          .join('roles as r', 'r.id', 'm.role_id')
          .join('user_types as u', 'u.id', 'm.user_type_id')
          .where('m.id', resource.id as string)
          .first('r.name as role', 'u.name as userType');
        return `${row?.userType} / ${row?.role}`;
      };
      t.is(await post('before@example.org'), 'Creator / User');

      // Through the use cases of this process.
      await createRole(ctx.knex, ctx.scope, { name: 'Auditor', privileges: ['view'] });
      await updateOrganization(ctx.knex, ctx.scope, { newMemberDefaults: { role: 'Auditor' } });
      const watch = recordQueries(ctx.knex);
      t.is(await post('after.settings@example.org'), 'Creator / Auditor');
      // The write made with what this process had read found the organization changed, wrote
      // nothing, and was made again after a fresh read (the fourth statement is this test's).
      t.is(watch.statements.length, 4, watch.statements.join('\n'));
      t.regex(watch.statements[0]!, /^with m as \(insert into members/);
      t.regex(watch.statements[1]!, /from "organizations"/);
      t.regex(watch.statements[2]!, /^with m as \(insert into members/);
      watch.stop();

      // As another process would: straight in the tables, which no code of this process sees.
      const viewer = await ctx
        .knex('user_types')
        .where({ org_id: ctx.scope.orgId, name: 'Viewer' })
        .first('id');
      await ctx
        .knex('roles')
        .where({ org_id: ctx.scope.orgId, name: 'Auditor' })
        .update({ name: 'Inspector' });
      await ctx
        .knex('organizations')
        .where('id', ctx.scope.orgId)
        .update({
          new_member_defaults: JSON.stringify({ userType: 'Viewer', role: 'Inspector' }),
        });
      t.truthy(viewer);
      t.is(await post('after.sql@example.org'), 'Viewer / Inspector');

      // Defaults that name no role refuse the create; once fixed elsewhere, the next one works.
      await ctx
        .knex('organizations')
        .where('id', ctx.scope.orgId)
        .update({ new_member_defaults: JSON.stringify({ role: 'Nobody' }) });
      await t.throwsAsync(post('refused@example.org'), { message: /Nobody/ });
      await ctx
        .knex('roles')
        .where({ org_id: ctx.scope.orgId, name: 'Inspector' })
        .update({ name: 'Nobody' });
      t.is(await post('after.fix@example.org'), 'Creator / Nobody');
      t.is(await memberNamed(ctx, 'refused@example.org'), undefined);
    },
  );

  test.serial(
    `[${kind}] an organization's revision changes with its row, roles and user types, and only its own`,
    async (t) => {
      const ctx = await context();
      const other = await fixture().newOrg();
      const revisions = async () =>
        Object.fromEntries(
          (
            await ctx
              .knex('organization_revisions')
              .whereIn('org_id', [ctx.scope.orgId, other.orgId])
              .select('org_id', 'revision')
          ).map((row) => [row.org_id, row.revision]),
        );
      const changes: Array<[string, () => Promise<unknown>]> = [
        [
          'renamed',
          () => ctx.knex('organizations').where('id', ctx.scope.orgId).update({ name: 'Renamed' }),
        ],
        [
          'role added',
          () => createRole(ctx.knex, ctx.scope, { name: 'Surveyor', privileges: ['view'] }),
        ],
        [
          'role deleted',
          () => ctx.knex('roles').where({ org_id: ctx.scope.orgId, name: 'Surveyor' }).delete(),
        ],
        [
          'user type changed',
          () =>
            ctx
              .knex('user_types')
              .where({ org_id: ctx.scope.orgId, name: 'Viewer' })
              .update({ aliases: ['Reader'] }),
        ],
      ];
      // Every organization has one from its creation.
      t.is(Object.keys(await revisions()).length, 2);
      for (const [what, change] of changes) {
        const before = await revisions();
        await change();
        const after = await revisions();
        t.not(after[ctx.scope.orgId], before[ctx.scope.orgId], what);
        t.is(after[other.orgId], before[other.orgId], what);
      }
    },
  );

  test.serial(
    `[${kind}] parallel PATCHes of different attributes of one user all survive (no update is lost)`,
    async (t) => {
      const ctx = await context();
      const id = (await createUser(ctx, { schemas: [USER], userName: 'contended@example.org' }))
        .resource.id as string;
      const attributes = [
        'title',
        'nickName',
        'locale',
        'timezone',
        'preferredLanguage',
        'userType',
      ];
      const values = ['Chief', 'Nick', 'fr-FR', 'Europe/Paris', 'fr', 'Employee'];
      await Promise.all(
        attributes.map((path, i) =>
          patchUser(ctx, id, {
            schemas: [PATCH],
            Operations: [{ op: 'replace', path, value: values[i] }],
          }),
        ),
      );
      const { resource, version } = await getUser(ctx, id, parseProjection(undefined, undefined));
      for (const [i, path] of attributes.entries()) t.is(resource[path], values[i], path);
      t.is(version, 1 + attributes.length);
      const [updates] = await ctx
        .knex('audit_log')
        .where({ target_id: id, action: 'member.update' })
        .count({ n: '*' });
      t.is(Number(updates!.n), attributes.length);
    },
  );

  test.serial(
    `[${kind}] POST /Users with a membership limit or default licences: counted under a lock, nothing written past the limit`,
    async (t) => {
      const ctx = await context();
      await createLicense(ctx.knex, ctx.scope, { name: 'Field Maps', userTypes: ['Creator'] });
      await updateOrganization(ctx.knex, ctx.scope, {
        membershipLimit: 1,
        newMemberDefaults: { licenses: ['Field Maps'] },
      });
      const first = await createUser(ctx, { schemas: [USER], userName: 'first@example.org' });
      const row = await ctx
        .knex('members')
        .where('id', first.resource.id as string)
        .first();
      t.deepEqual(row?.licenses, ['Field Maps']);
      await t.throwsAsync(createUser(ctx, { schemas: [USER], userName: 'second@example.org' }), {
        instanceOf: LimitError,
      });
      t.is(await memberNamed(ctx, 'second@example.org'), undefined);
      t.is(
        await ctx
          .knex('audit_log')
          .where({ org_id: ctx.scope.orgId, action: 'member.create' })
          .whereRaw("after->>'userName' = ?", ['second@example.org'])
          .first(),
        undefined,
      );
    },
  );

  test.serial(
    `[${kind}] PATCH /Groups adding members: two statements; an unknown user or a stale If-Match writes nothing`,
    async (t) => {
      const ctx = await context();
      const user = async (n: number) =>
        (await createUser(ctx, { schemas: [USER], userName: `g${n}@example.org` })).resource
          .id as string;
      const [a, b, c] = [await user(1), await user(2), await user(3)];
      const group = (
        await createGroup(ctx, {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: 'Crew',
          members: [{ value: a }],
        })
      ).resource.id as string;
      const watch = recordQueries(ctx.knex);
      const { version } = await patchGroup(ctx, group, {
        schemas: [PATCH],
        Operations: [
          { op: 'add', path: 'members', value: [{ value: a }, { value: b }] },
          { op: 'add', path: 'members', value: [{ value: c }] },
        ],
      });
      watch.stop();
      t.is(watch.statements.length, 2, watch.statements.join('\n'));
      t.is(version, 2);
      const members = async () =>
        (
          (await getGroup(ctx, group, parseProjection(undefined, undefined))).resource
            .members as Array<{ value: string }>
        )
          .map((m) => m.value)
          .sort();
      t.deepEqual(await members(), [a, b, c].sort());
      const audits = await ctx
        .knex('audit_log')
        .where({ target_id: group, action: 'group.update' })
        .orderBy('id')
        .select('after');
      t.deepEqual(
        audits.map((row) => doc(row.after).added),
        [[a, b], [c]],
      );

      const stranger = '00000000-0000-4000-8000-000000000000';
      const unknown = await t.throwsAsync(
        patchGroup(ctx, group, {
          schemas: [PATCH],
          Operations: [{ op: 'add', path: 'members', value: [{ value: stranger }] }],
        }),
        { instanceOf: ScimError },
      );
      t.is(unknown.status, 400);
      t.regex(unknown.message, new RegExp(stranger));
      const stale = await t.throwsAsync(
        patchGroup(
          ctx,
          group,
          { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [] }] },
          'W/"1"',
        ),
        { instanceOf: ScimError },
      );
      t.is(stale.status, 412);
      t.is((await getGroup(ctx, group, parseProjection(undefined, 'members'))).version, 2);
      t.is(
        (await ctx.knex('audit_log').where({ target_id: group, action: 'group.update' })).length,
        2,
      );
    },
  );
});
