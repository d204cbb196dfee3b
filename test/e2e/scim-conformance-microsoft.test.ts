import test, { type ExecutionContext } from 'ava';
import { ENTERPRISE, GROUP, PATCH, USER, eachScimTarget, scim } from '../helpers/scim.ts';

// Microsoft's SCIM test collection, replayed request by request in its order with its checks:
// PostmanCollection.json of github.com/AzureAD/SCIMReferenceCode at commit
// d445ef901981fef684a220fe8cf6c97b588600fd ("Update URLs (#92)", the last commit touching it).
// Its folders become the tests below, run in series on a daemon of their own, since its counts
// ("Results have 2 users", "Total results 5") assume an organization with nothing else in it.
//
// Where the collection expects what RFC 7643/7644 does not allow, the test asserts the RFC
// behaviour and says which section decides:
// - GET /serviceConfiguration (the reference code's own route): 404; the RFC's endpoint is
//   /ServiceProviderConfig (RFC 7644 §4), which the collection's checks are then run against.
// - filters with unquoted values (`name.FamilyName eq Employee`, `userName sw O`,
//   `meta.Created gt 2015-10-10T…`): 400 invalidFilter, since compValue is false, null, true, a
//   number or a quoted string (RFC 7644 §3.4.2.2). The same filters with quoted values are then
//   checked for the collection's counts.
// - a primary email that is no address ("emailName357"): 400 invalidValue naming emails; values
//   SHOULD follow RFC 5321 (RFC 7643 §4.1.2) and the primary one is the member's mail address.
// - several users sharing one externalId: the second is 409 uniqueness (RFC 7644 §3.12, "already
//   in use"); the externalId is the member's link to one identity at the provider.
// - PATCH of a user answered 204: we answer 200 with the user, which RFC 7644 §3.5.2 allows as
//   well ("either HTTP status code 200 and the entire resource or … 204").
// - members sent as bare strings ("value": "string id 1") and expected to be accepted: 400
//   invalidValue, since members is a multi-valued complex attribute whose value is a resource id
//   (RFC 7643 §4.2, RFC 7644 §3.5.2.1).
// - member display sent by the client ("displayName": "new User") and expected back: members have
//   value, $ref, type and a display the server takes from the member (RFC 7643 §4.2, §8.7.1); the
//   check is made on the member's id and on its absence after the removal instead.

eachScimTarget((kind, target) => {
  const it = (title: string, fn: (t: ExecutionContext) => Promise<void>) =>
    test.serial(`[${kind}] Microsoft collection: ${title}`, fn);
  const ids: Record<string, string> = {};
  const guid = () => crypto.randomUUID();
  const patch = (path: string, Operations: unknown[], extra: Record<string, unknown> = {}) =>
    scim(target(), 'PATCH', path, { ...extra, schemas: [PATCH], Operations });
  const list = async (query: string) => scim(target(), 'GET', `/Users?${query}`);

  // The garbage folder's user, sent again with other names and values.
  const garbageUser = (userName: string | undefined, extra: Record<string, unknown> = {}) => ({
    ...(userName !== undefined && { userName }),
    active: true,
    addresses: [
      {
        country: 'Bermuda',
        formatted: '9132 Jennifer Way Suite 040\nSouth Nancy, MI 55645',
        locality: 'West Mercedes',
        postalCode: '99265',
        region: 'Montana',
        streetAddress: '4939 Hess Fork',
        type: 'work',
        primary: false,
      },
      {
        country: null,
        formatted: '18522 Lisa Unions\nEast Gregory, CT 52311',
        locality: null,
        postalCode: null,
        region: null,
        streetAddress: null,
        type: 'other',
        primary: false,
      },
    ],
    displayName: 'Kimberly Baker',
    emails: [
      { type: 'work', primary: true, value: 'anna33@gmail.com' },
      { type: 'work', primary: false, value: 'anna33@example.com' },
    ],
    meta: {
      created: '2019-09-18T18:15:26.5788954+00:00',
      lastModified: '2019-09-18T18:15:26.5788976+00:00',
      resourceType: 'User',
    },
    name: {
      formatted: 'Daniel Mcgee',
      familyName: 'Employee',
      givenName: 'Darl',
      honorificPrefix: null,
      honorificSuffix: null,
    },
    phoneNumbers: [
      { type: 'fax', primary: false, value: '312-320-0500' },
      { type: 'mobile', primary: false, value: '312-320-1707' },
      { type: 'work', primary: true, value: '312-320-0932' },
    ],
    preferredLanguage: 'xh',
    roles: [],
    title: 'Site engineer',
    externalId: '22fbc523-6032-4c5f-939d-5d4850cf3e52',
    schemas: [USER],
    ...extra,
  });
  const omalley = (extra: Record<string, unknown> = {}) =>
    garbageUser('OMalley', {
      emails: [
        { type: 'work', primary: true, value: 'anna33@example.com' },
        { type: 'other', primary: false, value: 'anna33@gmail.com' },
      ],
      name: {
        formatted: 'Daniel Mcgee',
        familyName: 'OMalley',
        givenName: 'Darl',
        honorificPrefix: null,
        honorificSuffix: null,
      },
      ...extra,
    });
  const germanAddresses = [
    {
      country: 'Germany',
      formatted: '1923 Jennifer Way Suite 040\nSouth Nancy, MI 55645',
      locality: 'East Mercedes',
      postalCode: '99265',
      region: 'Montana',
      streetAddress: '4939 Hess Fork',
      type: 'work',
      primary: false,
    },
    {
      country: 'bahams',
      formatted: '18522 Lisa Unions\nEast Gregory, CT 52311',
      locality: null,
      postalCode: null,
      region: null,
      streetAddress: null,
      type: 'other',
      primary: false,
    },
  ];

  it('Endpoint tests', async (t) => {
    // "Get empty Users" asks for /users, in lower case.
    t.is((await scim(target(), 'GET', '/users')).status, 200);
    t.is((await scim(target(), 'GET', '/Groups')).status, 200);
    const types = await scim(target(), 'GET', '/ResourceTypes');
    t.is(types.status, 200);
    t.is(types.body.Resources[0].endpoint, '/Users');
    t.is((await scim(target(), 'GET', '/serviceConfiguration')).status, 404);
    const config = await scim(target(), 'GET', '/ServiceProviderConfig');
    t.is(config.status, 200);
    t.is(config.body.patch.supported, true);
    const schemas = await scim(target(), 'GET', '/Schemas');
    t.is(schemas.status, 200);
    t.true(JSON.stringify(schemas.body).includes('User Account'));
  });

  it('User tests', async (t) => {
    const user1 = await scim(target(), 'POST', '/Users', {
      userName: 'UserName123',
      active: true,
      displayName: 'BobIsAmazing',
      schemas: [USER],
      externalId: guid(),
      name: { formatted: 'Ryan Leenay', familyName: 'Leenay', givenName: 'Ryan' },
      emails: [
        { Primary: true, type: 'work', value: 'testing@bob.com' },
        { Primary: false, type: 'home', value: 'testinghome@bob.com' },
      ],
    });
    t.is(user1.status, 201, JSON.stringify(user1.body));
    ids.id1 = user1.body.id;
    // Sub-attribute names are case-insensitive (RFC 7643 §2.1): "Primary" is primary.
    t.deepEqual(
      user1.body.emails.map((e: { primary: boolean }) => e.primary),
      [true, false],
    );
    const user2 = await scim(target(), 'POST', '/Users', {
      userName: 'UserName222',
      active: true,
      displayName: 'lennay',
      schemas: [ENTERPRISE, USER],
      externalId: guid(),
      name: { formatted: 'Adrew Ryan', familyName: 'Ryan', givenName: 'Andrew' },
      emails: [
        { Primary: true, type: 'work', value: 'testing@bob2.com' },
        { Primary: false, type: 'home', value: 'testinghome@bob3.com' },
      ],
      [ENTERPRISE]: { Department: 'bob', Manager: { Value: 'SuzzyQ' } },
    });
    t.is(user2.status, 201, JSON.stringify(user2.body));
    ids.id2 = user2.body.id;

    for (const id of [ids.id1, ids.id2]) {
      const got = await scim(target(), 'GET', `/Users/${id}`);
      t.is(got.status, 200);
      t.is(got.body.id, id);
    }
    const projected = await list('attributes=userName,emails');
    t.is(projected.status, 200);
    t.true(JSON.stringify(projected.body).includes(ids.id1!));
    // Attribute names are case-insensitive (RFC 7643 §2.1): DisplayName is displayName.
    const filtered = await scim(
      target(),
      'GET',
      `/Users/?filter=${encodeURIComponent('DisplayName eq "BobIsAmazing"')}`,
    );
    t.true(JSON.stringify(filtered.body).includes(ids.id1!), JSON.stringify(filtered.body));

    t.is(
      (await patch(`/Users/${ids.id1}`, [{ op: 'replace', path: 'userName', value: 'ryan3' }]))
        .status,
      200,
    );
    const patched = await scim(target(), 'GET', `/Users/${ids.id1}`);
    t.is(patched.status, 200);
    t.is(patched.body.id, ids.id1);
    t.is(patched.body.userName, 'ryan3');

    const replaced = await scim(target(), 'PUT', `/Users/${ids.id2}`, {
      userName: 'UserNameReplace2',
      active: true,
      displayName: 'BobIsAmazing',
      schemas: [ENTERPRISE, USER],
      id: ids.id2,
      externalId: guid(),
      name: { formatted: 'NewName', familyName: 'Leenay', givenName: 'Ryan' },
      emails: [
        { Primary: true, type: 'work', value: 'testing@bobREPLACE.com' },
        { Primary: false, type: 'home', value: 'testinghome@bob.com' },
      ],
    });
    t.is(replaced.status, 200, JSON.stringify(replaced.body));
    const checked = await scim(target(), 'GET', `/Users/${ids.id2}`);
    t.is(checked.status, 200);
    t.is(checked.body.name.formatted, 'NewName');

    t.is((await scim(target(), 'DELETE', `/Users/${ids.id1}`)).status, 204);
    t.is((await scim(target(), 'DELETE', `/Users/${ids.id2}`)).status, 204);
  });

  it('Group tests', async (t) => {
    const empty = await scim(target(), 'POST', '/Groups', {
      externalId: guid(),
      schemas: [GROUP],
      displayName: 'Group1DisplayName',
      members: [],
    });
    t.is(empty.status, 201, JSON.stringify(empty.body));
    ids.groupid = empty.body.id;
    for (const [key, userName] of [
      ['id3', 'UserName333'],
      ['id4', 'UserName444'],
    ] as const) {
      const created = await scim(target(), 'POST', '/Users', {
        userName,
        active: true,
        displayName: 'lennay',
        schemas: [ENTERPRISE, USER],
        externalId: guid(),
        name: { formatted: 'Adrew Ryan', familyName: 'Ryan', givenName: 'Andrew' },
        emails: [
          { Primary: true, type: 'work', value: 'testing@bob2.com' },
          { Primary: false, type: 'home', value: 'testinghome@bob3.com' },
        ],
      });
      t.is(created.status, 201, JSON.stringify(created.body));
      ids[key] = created.body.id;
    }
    const filled = await scim(target(), 'POST', '/Groups', {
      schemas: [GROUP],
      externalId: guid(),
      displayName: 'GroupDisplayName2',
      members: [{ value: ids.id3, display: 'VP' }],
    });
    t.is(filled.status, 201, JSON.stringify(filled.body));
    ids.groupid2 = filled.body.id;
    t.is((await scim(target(), 'GET', '/Groups')).status, 200);
    const third = await scim(target(), 'POST', '/Groups', {
      schemas: [GROUP],
      externalId: guid(),
      displayName: 'GroupDisplayName3',
      members: [],
    });
    t.is(third.status, 201);
    ids.groupid3 = third.body.id;
    const put = await scim(target(), 'PUT', `/Groups/${ids.groupid3}`, {
      schemas: [GROUP],
      id: ids.groupid3,
      displayName: 'putName',
      members: [
        { value: ids.id3, display: 'VP' },
        { value: ids.id4, display: 'SenorVP' },
      ],
    });
    t.is(put.status, 200, JSON.stringify(put.body));
    const group3 = await scim(target(), 'GET', `/Groups/${ids.groupid3}`);
    t.is(group3.status, 200);
    t.is(group3.body.id, ids.groupid3);
    t.true(JSON.stringify(group3.body).includes(ids.id3!));

    const addUser4 = [
      {
        name: 'addMember',
        op: 'add',
        path: 'members',
        value: [{ displayName: 'new User', value: ids.id4 }],
      },
    ];
    t.true((await patch(`/Groups/${ids.groupid}`, addUser4)).status < 300);
    t.true(
      (
        await patch(`/Groups/${ids.groupid}`, [
          { op: 'remove', path: `members[value eq "${ids.id4}"]` },
        ])
      ).status < 300,
    );
    t.true((await patch(`/Groups/${ids.groupid}`, addUser4)).status < 300);
    const withMember = await scim(target(), 'GET', `/Groups/${ids.groupid}`);
    t.is(withMember.status, 200);
    t.is(withMember.body.id, ids.groupid);
    t.deepEqual(
      withMember.body.members.map((m: { value: string }) => m.value),
      [ids.id4],
    );
    // The display is the member's own, not what the client sent.
    t.is(withMember.body.members[0].display, 'lennay');
    t.true(
      (await patch(`/Groups/${ids.groupid}`, [{ op: 'remove', path: 'members' }])).status < 300,
    );
    const emptied = await scim(target(), 'GET', `/Groups/${ids.groupid}`);
    t.is(emptied.status, 200);
    t.is(emptied.body.id, ids.groupid);
    t.false(JSON.stringify(emptied.body).includes(ids.id4!));

    for (const path of [
      `/Users/${ids.id3}`,
      `/Users/${ids.id4}`,
      `/Groups/${ids.groupid}`,
      `/Groups/${ids.groupid2}`,
      `/Groups/${ids.groupid3}`,
    ])
      t.is((await scim(target(), 'DELETE', path)).status, 204, path);
  });

  it('ComplexAttribute tests', async (t) => {
    const complexUser = (userName: string, work: string) => ({
      userName,
      active: true,
      displayName: 'BobIsAmazing',
      schemas: [ENTERPRISE, USER],
      externalId: guid(),
      name: { formatted: 'Ryan Leenay', familyName: 'Leenay', givenName: 'Ryan' },
      emails: [
        { Primary: true, type: 'work', value: work },
        { Primary: false, type: 'home', value: 'testinghome@bob.com' },
      ],
    });
    // A primary email that is no address is refused, naming emails; the same user with an address
    // then carries the collection's projection checks.
    const refused = await scim(
      target(),
      'POST',
      '/Users',
      complexUser('UserName111', 'emailName357'),
    );
    t.is(refused.status, 400);
    t.is(refused.body.scimType, 'invalidValue');
    t.regex(refused.body.detail, /emails/);
    const created: string[] = [];
    for (const [userName, work] of [
      ['UserName111', 'emailName357@bob.com'],
      ['UserName222', 'jump@bob.com'],
    ] as const) {
      const user = await scim(target(), 'POST', '/Users', complexUser(userName, work));
      t.is(user.status, 201, JSON.stringify(user.body));
      created.push(user.body.id);
    }
    const byType = await list(`attributes=${encodeURIComponent('emails[type eq "work"]')}`);
    t.is(byType.status, 200);
    t.true(JSON.stringify(byType.body).includes('emailName357'));
    t.false(JSON.stringify(byType.body).includes('testinghome@bob.com'), 'home entries left out');
    const byValue = await list(
      `attributes=${encodeURIComponent('emails[value eq "emailName357@bob.com"]')}`,
    );
    t.is(byValue.status, 200);
    t.true(JSON.stringify(byValue.body).includes('emailName357'));
    t.false(JSON.stringify(byValue.body).includes('jump@bob.com'), 'other entries left out');
    for (const id of created) t.is((await scim(target(), 'DELETE', `/Users/${id}`)).status, 204);
  });

  it('User tests with garbage', async (t) => {
    const first = await scim(target(), 'POST', '/Users', omalley());
    t.is(first.status, 201, JSON.stringify(first.body));
    t.is(first.body.userName, 'OMalley');
    t.is(first.body.active, true);
    ids.first = first.body.id;
    // null sub-attributes are unassigned (RFC 7643 §2.5): not returned.
    t.deepEqual(first.body.addresses[1], {
      formatted: '18522 Lisa Unions\nEast Gregory, CT 52311',
      type: 'other',
      primary: false,
    });
    // Every user of this folder carries the same externalId. It names one identity at the
    // provider, so a second user with it is 409 uniqueness (RFC 7644 §3.12); each is then sent
    // again with an externalId of its own to carry on the collection's sequence.
    const create = async (userName: string, extra: Record<string, unknown> = {}) => {
      const shared = await scim(target(), 'POST', '/Users', garbageUser(userName, extra));
      t.is(shared.status, 409, userName);
      t.is(shared.body.scimType, 'uniqueness');
      t.regex(shared.body.detail, /externalId/);
      return scim(
        target(),
        'POST',
        '/Users',
        garbageUser(userName, { ...extra, externalId: guid() }),
      );
    };
    const emp1 = await create('emp1', { active: 'True' });
    t.is(emp1.status, 201, JSON.stringify(emp1.body));
    t.is(emp1.body.active, true);
    ids.second = emp1.body.id;
    const all = await scim(target(), 'GET', '/Users');
    t.is(all.status, 200);
    t.is(all.body.totalResults, 2);
    t.true(JSON.stringify(all.body).includes('OMalley'));
    for (const [key, userName] of [
      ['third', 'emp2'],
      ['fourth', 'emp3'],
    ] as const) {
      const created = await create(userName);
      t.is(created.status, 201);
      ids[key] = created.body.id;
    }
    const noUserName = await scim(target(), 'POST', '/Users', garbageUser(undefined));
    t.is(noUserName.status, 400);
    const junk = await scim(
      target(),
      'POST',
      '/Users',
      '{ "acve": tre, "adadfdresses": [ { "coudftry": "Beruda" } ], "schemas": [ "urn:ietf:params:scim:schemas:core:2.0:User" ] }',
    );
    t.is(junk.status, 400);
    for (let i = 0; i < 2; i++) {
      const again = await scim(target(), 'POST', '/Users', garbageUser('emp3'));
      t.is(again.status, 409);
      t.true(JSON.stringify(again.body).includes('detail'));
    }
    const { userName: _dropped, ...withoutUserName } = omalley({ id: ids.first, active: false });
    const noName = await scim(target(), 'PUT', `/Users/${ids.first}`, {
      ...withoutUserName,
      userame: 'OMalley',
      addresses: germanAddresses,
    });
    t.is(noName.status, 400);
    const { addresses: _addresses, ...misspelled } = omalley({ id: ids.first, active: false });
    const typo = await scim(target(), 'PUT', `/Users/${ids.first}`, {
      ...misspelled,
      adreses: germanAddresses,
    });
    t.is(typo.status, 200, JSON.stringify(typo.body));
    t.false(JSON.stringify(typo.body).includes('Addresses'));
    const enterprise = await create('enterprise', {
      [ENTERPRISE]: { Department: 'some department' },
    });
    t.is(enterprise.status, 201, JSON.stringify(enterprise.body));
    ids.enterprise = enterprise.body.id;
    const renamed = await patch(`/Users/${ids.first}`, [
      { op: 'Replace', path: 'userName', value: 'newusername' },
    ]);
    t.is(renamed.status, 200);
    t.is(
      (await patch(`/Users/${ids.first}`, [{ op: 'Replace', path: 'active', value: false }]))
        .status,
      200,
    );
    const changed = await scim(target(), 'GET', `/Users/${ids.first}`);
    t.is(changed.body.userName, 'newusername');
    t.is(changed.body.active, false);
    const back = await scim(
      target(),
      'PUT',
      `/Users/${ids.first}`,
      omalley({ id: ids.first, active: false, addresses: germanAddresses }),
    );
    t.is(back.status, 200, JSON.stringify(back.body));
    t.is(back.body.userName, 'OMalley');
    t.is(back.body.active, false);
    t.true(JSON.stringify(back.body).includes('Germany'));
    const page = await list('startIndex=1&count=2');
    t.is(page.body.totalResults, 5);
    t.is(page.body.itemsPerPage, 2);
    t.is((await list('attributes=userName,emails')).body.totalResults, 5);
    const third = await scim(target(), 'POST', '/Users', garbageUser('emp3'));
    t.is(third.status, 409);
    t.true(JSON.stringify(third.body).includes('detail'));

    for (const filter of [
      'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)',
      'userName sw O',
      'meta.Created gt 2015-10-10T14:38:21.8617979-07:00',
    ]) {
      const refused = await list(`filter=${encodeURIComponent(filter)}`);
      t.is(refused.status, 400, filter);
      t.is(refused.body.scimType, 'invalidFilter');
    }
    const counts: Array<[string, number]> = [
      [
        'name.FamilyName eq "Employee" and (emails.Value co "example.com" or emails.Value co "example.org")',
        4,
      ],
      ['userName sw "O"', 1],
      ['meta.Created gt "2015-10-10T14:38:21.8617979-07:00"', 5],
    ];
    for (const [filter, expected] of counts) {
      const found = await list(`filter=${encodeURIComponent(filter)}`);
      t.is(found.status, 200, filter);
      t.is(found.body.totalResults, expected, filter);
    }
  });

  it('Group tests with garbage', async (t) => {
    const group = await scim(target(), 'POST', '/Groups', {
      displayName: 'Group 1',
      externalId: '015489ea-9410-4306-b583-9f002b2446f7',
      schemas: [GROUP],
    });
    t.is(group.status, 201);
    ids.firstGroup = group.body.id;
    for (const value of ['string id 1', 'string id 2']) {
      const added = await patch(
        `/Groups/${ids.firstGroup}`,
        [{ op: 'add', path: 'members', value }],
        { id: ids.firstGroup },
      );
      t.is(added.status, 400, value);
      t.is(added.body.scimType, 'invalidValue');
    }
    t.is((await scim(target(), 'GET', `/Groups/${ids.firstGroup}`)).status, 200);
    const excluded = await scim(
      target(),
      'GET',
      `/Groups/${ids.firstGroup}?excludedAttributes=members`,
    );
    t.is(excluded.status, 200);
    t.false('members' in excluded.body);
    const put = await scim(target(), 'PUT', `/Groups/${ids.firstGroup}`, {
      id: ids.firstGroup,
      displayName: 'Tiffany Ortiz',
      externalId: '6c6b54c2-fa81-4234-ad4f-420ec6808049',
      schemas: [GROUP],
    });
    t.is(put.status, 200);
    t.is(put.body.displayName, 'Tiffany Ortiz');
  });

  it('Teardown garbage, then nothing is left', async (t) => {
    for (const key of ['first', 'second', 'third', 'fourth', 'enterprise'])
      t.is((await scim(target(), 'DELETE', `/Users/${ids[key]}`)).status, 204, key);
    t.is((await scim(target(), 'DELETE', `/Groups/${ids.firstGroup}`)).status, 204);
    const users = await list('attributes=userName');
    t.is(users.status, 200);
    t.deepEqual(users.body.Resources, []);
    const groups = await scim(target(), 'GET', '/Groups');
    t.is(groups.status, 200);
    t.deepEqual(groups.body.Resources, []);
  });
});
