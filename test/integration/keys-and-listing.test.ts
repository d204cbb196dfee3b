import test from 'ava';
import {
  authenticateApiKey,
  createApiKey,
  deleteApiKey,
  getApiKey,
  listApiKeys,
} from '../../src/keys/api-keys.ts';
import { createMember, setMemberStatus } from '../../src/members/member-service.ts';
import { listMembers, parseMemberListQuery } from '../../src/members/member-listing.ts';
import { addGroupMember, createGroup, removeGroupMember } from '../../src/groups/groups.ts';
import { createResource, listResources } from '../../src/resources/resources.ts';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../../src/errors.ts';
import { eachDatabase } from '../helpers/databases.ts';

eachDatabase((kind, fixture) => {
  test(`[${kind}] API keys: secret shown once, hash kept, role decides access, deletion is final`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const key = await createApiKey(f.database.knex, scope, {
      title: 'Entra provisioning',
      role: 'Éditeur',
      expiresInDays: 365,
    });
    t.is(key.role, 'editor');
    const row = await f.database.knex('api_keys').where('id', key.id).first();
    t.false(JSON.stringify(row).includes(key.secret.slice(-43)));
    const acting = await authenticateApiKey(f.database.knex, key.secret, 'api');
    t.like(acting, { orgId: scope.orgId, actor: { type: 'key', id: key.id, access: 'editor' } });
    t.deepEqual(key.scopes, ['api'], 'a key reaches the admin API only unless asked');
    await t.throwsAsync(authenticateApiKey(f.database.knex, key.secret, 'scim'), {
      instanceOf: ForbiddenError,
      message: /not for SCIM/,
    });
    const scimKey = await createApiKey(f.database.knex, scope, {
      title: 'Okta',
      role: 'editor',
      expiresInDays: 365,
      scopes: ['scim'],
    });
    t.deepEqual(scimKey.scopes, ['scim']);
    t.like(await authenticateApiKey(f.database.knex, scimKey.secret, 'scim'), {
      actor: { id: scimKey.id },
    });
    // Twice: once from the database, once from the cache of verified keys.
    for (let i = 0; i < 2; i++)
      await t.throwsAsync(authenticateApiKey(f.database.knex, scimKey.secret, 'api'), {
        instanceOf: ForbiddenError,
        message: /SCIM only/,
      });
    const both = await createApiKey(f.database.knex, scope, {
      title: 'both',
      role: 'viewer',
      expiresInDays: 365,
      scopes: ['scim', 'api', 'scim'],
    });
    t.deepEqual(both.scopes, ['api', 'scim']);
    for (const scopes of [[], ['ldap'], 'scim'])
      await t.throwsAsync(
        createApiKey(f.database.knex, scope, {
          title: 'x',
          role: 'viewer',
          expiresInDays: 365,
          scopes,
        }),
        { instanceOf: ValidationError, message: /scope/ },
      );
    await deleteApiKey(f.database.knex, scope, scimKey.id, {});
    await deleteApiKey(f.database.knex, scope, both.id, {});
    await t.throwsAsync(
      createApiKey(f.database.knex, scope, {
        title: 'x',
        role: 'administrator',
        expiresInDays: 365,
      }),
      { instanceOf: ValidationError, message: /editor or viewer/ },
    );
    await t.throwsAsync(
      createApiKey(f.database.knex, scope, { title: 'x', role: 'viewer', expiresAt: '2001-01-01' }),
      { instanceOf: ValidationError, message: /future/ },
    );
    await t.throwsAsync(
      createApiKey(f.database.knex, acting, { title: 'x', role: 'viewer', expiresInDays: 365 }),
      { instanceOf: ForbiddenError },
    );
    // The expiry is a required field, and the details show the creator's email.
    const keysBefore = await f.database
      .knex('api_keys')
      .where('org_id', scope.orgId)
      .count({ n: '*' });
    await t.throwsAsync(createApiKey(f.database.knex, scope, { title: 'x', role: 'viewer' }), {
      instanceOf: ValidationError,
      message:
        /expiresAt: is required: give expiresAt \(a date\) or expiresInDays \(e\.g\. 365 for one year/,
    });
    await t.throwsAsync(
      createApiKey(f.database.knex, scope, {
        title: 'x',
        role: 'viewer',
        expiresInDays: 30,
        creatorEmail: "o'brien@example.org",
      }),
      { instanceOf: ValidationError, message: /creatorEmail/ },
    );
    t.deepEqual(
      await f.database.knex('api_keys').where('org_id', scope.orgId).count({ n: '*' }),
      keysBefore,
      'refused keys are not written',
    );
    const signed = await createApiKey(f.database.knex, scope, {
      title: 'reporting',
      role: 'viewer',
      expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10),
      creatorEmail: 'admin@example.org',
    });
    t.is(signed.createdByEmail, 'admin@example.org');
    t.is(
      (await getApiKey(f.database.knex, scope.orgId, signed.id)).createdByEmail,
      'admin@example.org',
    );
    t.is(key.createdByEmail, null);
    await deleteApiKey(f.database.knex, scope, signed.id, {});

    // What the key owns goes to an eligible member on deletion.
    const resource = await createResource(f.database.knex, acting, {
      kind: 'datasource',
      name: 'Parcels',
    });
    t.deepEqual(resource.owner, { type: 'key', id: key.id });
    const heir = await createMember(f.deps, scope, {
      username: 'key.heir',
      email: 'heir@example.org',
      firstName: 'H',
      lastName: 'Eir',
    });
    const result = await deleteApiKey(f.database.knex, scope, key.id, { transferTo: heir.id });
    t.like(result, { resourcesTransferred: 1, transferredTo: heir.id });
    t.is((await listResources(f.database.knex, scope.orgId, heir.id)).total, 1);
    await t.throwsAsync(authenticateApiKey(f.database.knex, key.secret, 'api'), {
      instanceOf: UnauthorizedError,
    });
    t.is((await listApiKeys(f.database.knex, scope.orgId)).total, 0);
  });

  test(`[${kind}] a burst of requests with a key not remembered yet looks it up once; a deletion during the look-up is not remembered`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const knex = f.database.knex;
    const key = await createApiKey(knex, scope, {
      title: 'Burst',
      role: 'editor',
      expiresInDays: 365,
      scopes: ['scim'],
    });
    const lookUps: string[] = [];
    const watch = (query: { sql: string; bindings?: unknown[] }) => {
      if (/from "api_keys"/.test(query.sql) && query.bindings?.includes(key.id))
        lookUps.push(query.sql);
    };
    knex.on('query', watch);
    try {
      const scopes = await Promise.all(
        Array.from({ length: 20 }, () => authenticateApiKey(knex, key.secret, 'scim')),
      );
      t.is(lookUps.length, 1, lookUps.join('\n'));
      for (const acting of scopes) t.like(acting, { actor: { id: key.id } });
      // A wrong secret for the same key shares nothing with it: each caller is refused.
      const wrong = `${key.secret.slice(0, -4)}AAAA`;
      const refused = await Promise.allSettled(
        Array.from({ length: 3 }, () => authenticateApiKey(knex, wrong, 'scim')),
      );
      t.true(refused.every((r) => r.status === 'rejected'));
    } finally {
      knex.off('query', watch);
    }
    // Deleted while a burst is being looked up: the look-up may have read the key before the
    // deletion, but what it read is not remembered, so the next request is refused.
    const other = await createApiKey(knex, scope, {
      title: 'Deleted mid-look-up',
      role: 'editor',
      expiresInDays: 365,
      scopes: ['scim'],
    });
    const during = authenticateApiKey(knex, other.secret, 'scim');
    await deleteApiKey(knex, scope, other.id, {});
    await during.catch(() => undefined);
    await t.throwsAsync(authenticateApiKey(knex, other.secret, 'scim'), {
      instanceOf: UnauthorizedError,
    });
  });

  test(`[${kind}] listing: filters, search, sort and pages`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const group = await createGroup(f.database.knex, scope, { name: 'Hydrology' });
    const names = [
      ['amelia.e', 'Earhart'],
      ['bessie.c', 'Coleman'],
      ['chuck.y', 'Yeager'],
      ['dora.d', 'Dougherty'],
      ['ellen.ochoa', 'Ochoa'],
    ];
    for (const [username, lastName] of names as Array<[string, string]>) {
      await createMember(f.deps, scope, {
        username,
        email: `${username}@air.example`,
        firstName: username.split('.')[0]!,
        lastName,
        status: username === 'dora.d' ? 'pending' : 'active',
      });
    }
    await setMemberStatus(f.deps, scope, 'chuck.y', 'disabled');
    await addGroupMember(f.database.knex, scope, group.id, 'amelia.e');
    await addGroupMember(f.database.knex, scope, group.id, 'ellen.ochoa');
    await f.database
      .knex('members')
      .where({ org_id: scope.orgId, username: 'ellen.ochoa' })
      .update({ last_sign_in_at: new Date() });
    const list = async (q: Record<string, string>) =>
      (await listMembers(f.database.knex, scope.orgId, parseMemberListQuery(q, 100))).items.map(
        (m) => m.username,
      );

    t.deepEqual(await list({}), ['amelia.e', 'bessie.c', 'chuck.y', 'dora.d', 'ellen.ochoa']);
    t.deepEqual(await list({ status: 'pending' }), ['dora.d']);
    t.deepEqual(await list({ status: 'disabled' }), ['chuck.y']);
    t.deepEqual(await list({ signedIn: 'true' }), ['ellen.ochoa']);
    t.deepEqual(await list({ group: 'hydrology' }), ['amelia.e', 'ellen.ochoa']);
    t.deepEqual(await list({ search: 'OCHOA' }), ['ellen.ochoa']);
    t.deepEqual(await list({ search: '%' }), []);
    t.deepEqual(await list({ sort: '-lastName' }), [
      'chuck.y',
      'ellen.ochoa',
      'amelia.e',
      'dora.d',
      'bessie.c',
    ]);
    const page = await listMembers(
      f.database.knex,
      scope.orgId,
      parseMemberListQuery({ page: '2', pageSize: '2' }, 100),
    );
    t.deepEqual([page.total, page.items.map((m) => m.username)], [5, ['chuck.y', 'dora.d']]);
    t.throws(() => parseMemberListQuery({ pageSize: '101' }, 100), {
      instanceOf: ValidationError,
      message: /at most 100/,
    });
    t.throws(() => parseMemberListQuery({ colour: 'red' }, 100), {
      instanceOf: ValidationError,
      message: /unknown field/,
    });

    t.deepEqual(await removeGroupMember(f.database.knex, scope, group.id, 'amelia.e'), {
      removed: true,
    });
    t.deepEqual(await removeGroupMember(f.database.knex, scope, group.id, 'amelia.e'), {
      removed: false,
    });
  });
});
