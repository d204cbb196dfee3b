import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { GROUP, PATCH, USER, eachScimTarget, q, scim } from '../helpers/scim.ts';

// Okta's SCIM 2.0 client, replayed as Okta's "SCIM 2.0 protocol reference" shows its requests:
// lookups with startIndex/count, placeholder passwords, GET-then-PUT updates, path-less
// deactivation, group renames sent together with membership changes.

eachScimTarget((kind, target) => {
  const it = (title: string, fn: (t: ExecutionContext) => Promise<void>) =>
    test(`[${kind}] Okta: ${title}`, fn);
  const patch = (path: string, Operations: unknown[]) =>
    scim(target(), 'PATCH', path, { schemas: [PATCH], Operations });

  function oktaUser(userName: string) {
    return {
      schemas: [USER],
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`,
      groups: [],
      password: '1mz050nq',
      active: true,
    };
  }

  it('import and create: lookup with startIndex/count, create with a placeholder password (never echoed)', async (t) => {
    const userName = `test.user.${randomUUID()}@okta.local`;
    const lookup = await scim(
      target(),
      'GET',
      `/Users${q(`userName eq "${userName}"`)}&startIndex=1&count=100`,
    );
    t.like(lookup.body, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
    const created = await scim(target(), 'POST', '/Users', oktaUser(userName));
    t.is(created.status, 201);
    t.false('password' in created.body);
    t.like(created.body, { userName, displayName: 'Test User', locale: 'en-US', active: true });
    const fetched = await scim(target(), 'GET', `/Users/${created.body.id}`);
    t.false(JSON.stringify(fetched.body).includes('1mz050nq'));
    const page = await scim(target(), 'GET', '/Users?startIndex=1&count=2');
    t.true(page.body.totalResults >= 1);
    t.true(page.body.itemsPerPage <= 2);
  });

  it('update: GET then PUT the whole user back, with a new password and names', async (t) => {
    const userName = `put.user.${randomUUID()}@okta.local`;
    const id = (await scim(target(), 'POST', '/Users', oktaUser(userName))).body.id;
    const current = (await scim(target(), 'GET', `/Users/${id}`)).body;
    const put = await scim(target(), 'PUT', `/Users/${id}`, {
      ...current,
      name: { givenName: 'Another', familyName: 'User' },
      displayName: 'Another User',
      password: 't1meMa$heen',
    });
    t.is(put.status, 200);
    t.like(put.body, { id, userName, displayName: 'Another User', name: { givenName: 'Another' } });
    t.false('password' in put.body);
  });

  it('deactivate and reactivate with a path-less replace of active', async (t) => {
    const id = (
      await scim(target(), 'POST', '/Users', oktaUser(`deact.${randomUUID()}@okta.local`))
    ).body.id;
    const off = await patch(`/Users/${id}`, [{ op: 'replace', value: { active: false } }]);
    t.is(off.status, 200);
    t.false(off.body.active);
    t.is(
      (await scim(target(), 'GET', `/Users${q(`id eq "${id}"`)}`)).body.Resources[0].active,
      false,
    );
    t.true((await patch(`/Users/${id}`, [{ op: 'replace', value: { active: true } }])).body.active);
  });

  it('groups: push, rename with the id in the value, membership add and remove, rename together with membership changes', async (t) => {
    const u1 = (await scim(target(), 'POST', '/Users', oktaUser(`g1.${randomUUID()}@okta.local`)))
      .body.id;
    const u2 = (await scim(target(), 'POST', '/Users', oktaUser(`g2.${randomUUID()}@okta.local`)))
      .body.id;
    const name = `Test SCIMv2 ${randomUUID()}`;
    const created = await scim(target(), 'POST', '/Groups', {
      schemas: [GROUP],
      displayName: name,
      members: [],
    });
    t.is(created.status, 201);
    const gid = created.body.id;
    t.is((await scim(target(), 'GET', '/Groups?startIndex=1&count=100')).status, 200);
    t.is(
      (
        await patch(`/Groups/${gid}`, [
          { op: 'replace', value: { id: gid, displayName: `${name} renamed` } },
        ])
      ).status,
      204,
    );
    t.is(
      (
        await patch(`/Groups/${gid}`, [
          { op: 'add', path: 'members', value: [{ value: u1, display: 'g1' }] },
        ])
      ).status,
      204,
    );
    const combined = await patch(`/Groups/${gid}`, [
      { op: 'replace', value: { id: gid, displayName: `${name} again` } },
      { op: 'add', path: 'members', value: [{ value: u2, display: 'g2' }] },
      { op: 'remove', path: `members[value eq "${u1}"]` },
    ]);
    t.is(combined.status, 204);
    const group = await scim(target(), 'GET', `/Groups/${gid}`);
    t.is(group.body.displayName, `${name} again`);
    t.deepEqual(
      group.body.members.map((m: { value: string }) => m.value),
      [u2],
    );
    const put = await scim(target(), 'PUT', `/Groups/${gid}`, {
      schemas: [GROUP],
      id: gid,
      displayName: `${name} put`,
      members: [{ value: u1 }, { value: u2 }],
    });
    t.is(put.status, 200);
    t.is(put.body.members.length, 2);
    t.is((await scim(target(), 'DELETE', `/Groups/${gid}`)).status, 204);
    t.is(
      (await scim(target(), 'GET', `/Users/${u1}`)).status,
      200,
      'deleting a group keeps its members',
    );
  });
});
