import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { ENTERPRISE, GROUP, PATCH, USER, eachScimTarget, q, scim } from '../helpers/scim.ts';

// Microsoft Entra ID's provisioning service, replayed as its public documentation shows its
// requests ("Develop and plan provisioning for a SCIM endpoint", "Known issues and resolutions
// with SCIM 2.0 protocol compliance"): capitalized ops, "False" strings, manager quirks.

eachScimTarget((kind, target) => {
  const it = (title: string, fn: (t: ExecutionContext) => Promise<void>) =>
    test(`[${kind}] Entra: ${title}`, fn);
  const patch = (path: string, Operations: unknown[]) =>
    scim(target(), 'PATCH', path, { schemas: [PATCH], Operations });

  async function entraUser(extra: Record<string, unknown> = {}) {
    const userName = `Test_User_${randomUUID()}`;
    const body = {
      schemas: [USER, ENTERPRISE],
      externalId: randomUUID(),
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: `Test_User_${randomUUID()}@testuser.com` }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      ...extra,
    };
    return { userName, body };
  }

  it('user lifecycle: filter (empty), create, filter (found), get, update by PATCH, disable with "False", delete', async (t) => {
    const { userName, body } = await entraUser();
    const none = await scim(target(), 'GET', `/Users${q(`userName eq "${userName}"`)}`);
    t.like(none.body, { totalResults: 0, Resources: [] });
    const created = await scim(target(), 'POST', '/Users', body);
    t.is(created.status, 201);
    t.like(created.body, {
      userName,
      externalId: body.externalId,
      name: { formatted: 'givenName familyName', givenName: 'givenName', familyName: 'familyName' },
    });
    // Entra sent no displayName: none is made up from the name (RFC 7644 §3.3: unassigned).
    t.false('displayName' in created.body);
    const id = created.body.id;
    const found = await scim(target(), 'GET', `/Users${q(`userName eq "${userName}"`)}`);
    t.is(found.body.Resources[0].id, id);
    t.is((await scim(target(), 'GET', `/Users/${id}`)).body.userName, userName);

    const updated = await patch(`/Users/${id}`, [
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ]);
    t.is(updated.status, 200);
    t.is(
      updated.body.emails.find((e: { type: string }) => e.type === 'work').value,
      'updatedEmail@microsoft.com',
    );
    t.is(updated.body.name.familyName, 'updatedFamilyName');

    const disabled = await patch(`/Users/${id}`, [
      { op: 'Replace', path: 'active', value: 'False' },
    ]);
    t.false(disabled.body.active);
    t.true(
      (await patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'True' }])).body.active,
    );
    t.is((await scim(target(), 'DELETE', `/Users/${id}`)).status, 204);
    t.is((await scim(target(), 'GET', `/Users/${id}`)).status, 404);
  });

  it('path-less Replace with dotted keys and full URNs', async (t) => {
    const id = (await scim(target(), 'POST', '/Users', (await entraUser()).body)).body.id;
    const r = await patch(`/Users/${id}`, [
      {
        op: 'Replace',
        value: {
          'name.givenName': 'Dotted',
          'name.familyName': 'Keys',
          [`${ENTERPRISE}:department`]: 'Finance',
          [`${USER}:title`]: 'Analyst',
          active: 'False',
        },
      },
    ]);
    t.is(r.status, 200);
    t.like(r.body, {
      name: { givenName: 'Dotted', familyName: 'Keys' },
      title: 'Analyst',
      active: false,
      [ENTERPRISE]: { department: 'Finance' },
    });
  });

  it('manager: a bare id, the old array form, "" to clear, Remove', async (t) => {
    const manager = (await scim(target(), 'POST', '/Users', (await entraUser()).body)).body.id;
    const id = (await scim(target(), 'POST', '/Users', (await entraUser()).body)).body.id;
    let r = await patch(`/Users/${id}`, [
      { op: 'Add', path: `${ENTERPRISE}:manager`, value: manager },
    ]);
    t.is(r.body[ENTERPRISE].manager.value, manager);
    t.is(
      (await scim(target(), 'GET', `/Users${q(`${ENTERPRISE}:manager eq "${manager}"`)}`)).body
        .totalResults,
      1,
    );
    r = await patch(`/Users/${id}`, [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }]);
    t.is(r.body[ENTERPRISE], undefined);
    r = await patch(`/Users/${id}`, [
      { op: 'Add', path: 'manager', value: [{ $ref: null, value: manager }] },
    ]);
    t.is(r.body[ENTERPRISE].manager.value, manager);
    r = await patch(`/Users/${id}`, [{ op: 'Remove', path: `${ENTERPRISE}:manager` }]);
    t.is(r.body[ENTERPRISE], undefined);
  });

  it('Add through a value filter creates the missing entry; null means unassigned', async (t) => {
    const { body } = await entraUser({
      emails: [{ primary: true, type: 'work', value: `w-${randomUUID()}@testuser.com` }],
    });
    const id = (await scim(target(), 'POST', '/Users', body)).body.id;
    let r = await patch(`/Users/${id}`, [
      { op: 'Add', path: 'emails[type eq "other"].value', value: 'other@testuser.com' },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0123' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
      { op: 'Add', path: 'externalId', value: 'new-external-id' },
    ]);
    t.is(r.status, 200);
    t.like(
      r.body.emails.find((e: { type: string }) => e.type === 'other'),
      { value: 'other@testuser.com' },
    );
    t.deepEqual(r.body.phoneNumbers, [{ type: 'mobile', value: '+1 555 0123' }]);
    t.deepEqual(r.body.addresses, [{ type: 'work', locality: 'Redmond' }]);
    t.is(r.body.externalId, 'new-external-id');
    r = await patch(`/Users/${id}`, [
      { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: null },
      { op: 'Replace', path: 'title', value: null },
    ]);
    t.false('value' in r.body.phoneNumbers[0]);
    t.false('title' in r.body);
  });

  // The request shapes of Better Auth's Entra conformance file (packages/scim/src/
  // scim-entra-conformance.test.ts of github.com/better-auth/better-auth at commit
  // 3f8209db013a6dbb145f0ba6e9da4005f19df41a), replayed with its checks.
  it('Replace through a value filter on a user without that entry, null address parts, quoted "true", pathless Remove', async (t) => {
    const bare = await scim(target(), 'POST', '/Users', {
      schemas: [USER],
      userName: `bundled-${randomUUID()}@example.com`,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
    });
    t.is(bare.status, 201);
    const id = bare.body.id;
    let r = await patch(`/Users/${id}`, [
      { op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: '+1-555-0100' },
      { op: 'Replace', path: 'name.familyName', value: 'King' },
    ]);
    t.is(r.status, 200, JSON.stringify(r.body));
    t.deepEqual(r.body.phoneNumbers, [{ value: '+1-555-0100', type: 'work' }]);
    t.is(r.body.name.familyName, 'King');
    r = await patch(`/Users/${id}`, [
      { op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: '+1-555-0199' },
      { op: 'Replace', path: 'addresses[type eq "work"].postalCode', value: '94105' },
    ]);
    t.is(r.status, 200, JSON.stringify(r.body));
    t.deepEqual(r.body.phoneNumbers, [{ value: '+1-555-0199', type: 'work' }], 'updated in place');
    t.deepEqual(r.body.addresses, [{ type: 'work', postalCode: '94105' }]);

    const withNulls = await scim(target(), 'POST', '/Users', {
      schemas: [USER],
      userName: `member-${randomUUID()}@example.com`,
      active: true,
      addresses: [
        {
          type: 'work',
          streetAddress: '44 Montgomery St',
          locality: 'San Francisco',
          region: 'CA',
          postalCode: '94104',
          formatted: null,
          country: null,
        },
      ],
    });
    t.is(withNulls.status, 201, JSON.stringify(withNulls.body));
    t.deepEqual(withNulls.body.addresses, [
      {
        type: 'work',
        streetAddress: '44 Montgomery St',
        locality: 'San Francisco',
        region: 'CA',
        postalCode: '94104',
      },
    ]);

    const primaryEmail = `primary-${randomUUID()}@example.com`;
    const withEmail = await scim(target(), 'POST', '/Users', {
      schemas: [USER],
      userName: primaryEmail,
      emails: [{ value: primaryEmail, type: 'work', primary: true }],
    });
    r = await patch(`/Users/${withEmail.body.id}`, [
      { op: 'Replace', path: 'emails[type eq "other"].value', value: 'other-email@example.com' },
    ]);
    t.is(r.status, 200, JSON.stringify(r.body));
    t.is(r.body.emails.length, 2);
    t.like(r.body.emails[0], { value: primaryEmail, type: 'work', primary: true });
    t.like(r.body.emails[1], { value: 'other-email@example.com', type: 'other' });
    t.not(r.body.emails[1].primary, true, 'the primary address does not move');

    r = await patch(`/Users/${id}`, [
      { op: 'Replace', path: 'roles[type eq "work"].value', value: 'engineer' },
      { op: 'Replace', path: 'entitlements[type eq "work"].value', value: 'vpn' },
    ]);
    t.is(r.status, 200, JSON.stringify(r.body));
    t.deepEqual(r.body.roles, [{ value: 'engineer', type: 'work' }]);
    t.deepEqual(r.body.entitlements, [{ value: 'vpn', type: 'work' }]);
    // Entra quotes booleans: primary eq "true" is primary eq true.
    const roled = await scim(target(), 'POST', '/Users', {
      schemas: [USER],
      userName: `quoted-${randomUUID()}@example.com`,
      roles: [{ value: 'engineer', primary: false }],
    });
    r = await patch(`/Users/${roled.body.id}`, [
      { op: 'Replace', path: 'roles[primary eq "true"].value', value: 'senior-engineer' },
    ]);
    t.is(r.status, 200, JSON.stringify(r.body));
    t.deepEqual(r.body.roles, [
      { value: 'engineer', primary: false },
      { value: 'senior-engineer', primary: true },
    ]);
    const pathless = await patch(`/Users/${id}`, [{ op: 'Remove', value: { displayName: 'Ada' } }]);
    t.is(pathless.status, 400);
    t.is(pathless.body.scimType, 'noTarget');
  });

  it('groups: create, filter by displayName, add and remove members by value arrays, membership check, rename, delete', async (t) => {
    const u1 = (await scim(target(), 'POST', '/Users', (await entraUser()).body)).body.id;
    const u2 = (await scim(target(), 'POST', '/Users', (await entraUser()).body)).body.id;
    const displayName = `Group_${randomUUID()}`;
    const created = await scim(target(), 'POST', '/Groups', {
      schemas: [GROUP],
      externalId: randomUUID(),
      displayName,
      meta: { resourceType: 'Group' },
    });
    t.is(created.status, 201);
    const gid = created.body.id;
    t.is(
      (
        await scim(
          target(),
          'GET',
          `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`,
        )
      ).body.Resources[0].id,
      gid,
    );
    t.is(
      (
        await patch(`/Groups/${gid}`, [
          {
            op: 'Add',
            path: 'members',
            value: [
              { $ref: null, value: u1 },
              { $ref: null, value: u2 },
            ],
          },
        ])
      ).status,
      204,
    );
    const check = (user: string) =>
      scim(
        target(),
        'GET',
        `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${gid}" and members[value eq "${user}"]`)}`,
      );
    t.is((await check(u1)).body.totalResults, 1);
    t.is(
      (
        await patch(`/Groups/${gid}`, [
          { op: 'Remove', path: 'members', value: [{ $ref: null, value: u1 }] },
        ])
      ).status,
      204,
    );
    t.is((await check(u1)).body.totalResults, 0);
    t.is((await check(u2)).body.totalResults, 1);
    t.is(
      (
        await patch(`/Groups/${gid}`, [
          { op: 'Replace', path: 'displayName', value: `${displayName}_renamed` },
        ])
      ).status,
      204,
    );
    t.is(
      (await scim(target(), 'GET', `/Groups/${gid}`)).body.displayName,
      `${displayName}_renamed`,
    );
    t.is((await scim(target(), 'DELETE', `/Groups/${gid}`)).status, 204);
  });

  it('users mapped from mailNickname or employeeId, with no email, and apostrophe addresses', async (t) => {
    const { body } = await entraUser({
      userName: `nick${randomUUID().slice(0, 8)}`,
      emails: undefined,
    });
    delete (body as Record<string, unknown>).emails;
    const created = await scim(target(), 'POST', '/Users', body);
    t.is(created.status, 201);
    t.false('emails' in created.body);
    const got = await scim(target(), 'GET', `/Users/${created.body.id}`);
    t.false('emails' in got.body);
    const address = `o'brien.${randomUUID().slice(0, 8)}@contoso.example`;
    const irish = await scim(
      target(),
      'POST',
      '/Users',
      (
        await entraUser({
          emails: [{ primary: true, type: 'work', value: address }],
        })
      ).body,
    );
    t.is(irish.status, 201);
    t.is(irish.body.emails[0].value, address);
    const found = await scim(
      target(),
      'GET',
      `/Users${q(`emails[type eq "work"].value eq "${address}"`)}`,
    );
    t.is(found.body.totalResults, 1);
  });
});
