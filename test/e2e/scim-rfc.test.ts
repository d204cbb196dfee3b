import test, { type ExecutionContext } from 'ava';
import {
  ENTERPRISE,
  GROUP,
  PATCH,
  USER,
  eachScimTarget,
  newUser,
  q,
  scim,
  uniqueName,
} from '../helpers/scim.ts';
import { runCli } from '../helpers/daemon.ts';

// RFC 7643 / 7644 behaviour, against the real daemon over HTTP.

eachScimTarget((kind, target) => {
  const it = (title: string, fn: (t: ExecutionContext) => Promise<void>) =>
    test(`[${kind}] ${title}`, fn);

  it('discovery: ServiceProviderConfig, ResourceTypes and Schemas, also by id', async (t) => {
    const config = await scim(target(), 'GET', '/ServiceProviderConfig');
    t.is(config.status, 200);
    t.is(config.headers.get('content-type'), 'application/scim+json');
    const asked = await scim(target(), 'GET', '/ServiceProviderConfig', undefined, {
      accept: 'application/scim+json; charset=utf-8',
    });
    t.is(asked.headers.get('content-type'), 'application/scim+json; charset=utf-8');
    t.like(config.body, {
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
      filter: { supported: true, maxResults: 200 },
      etag: { supported: true },
      sort: { supported: true },
    });
    const types = await scim(target(), 'GET', '/ResourceTypes');
    t.deepEqual(
      types.body.Resources.map((r: { id: string }) => r.id),
      ['User', 'Group'],
    );
    t.is(
      (await scim(target(), 'GET', '/ResourceTypes/User')).body.schemaExtensions[0].schema,
      ENTERPRISE,
    );
    const schemas = await scim(target(), 'GET', '/Schemas');
    t.deepEqual(
      schemas.body.Resources.map((r: { id: string }) => r.id),
      [USER, ENTERPRISE, GROUP],
    );
    const user = await scim(target(), 'GET', `/Schemas/${USER}`);
    t.like(
      user.body.attributes.find((a: { name: string }) => a.name === 'userName'),
      { uniqueness: 'server', caseExact: false, required: true },
    );
    t.is((await scim(target(), 'GET', '/Schemas/urn:nope')).status, 404);
  });

  it('authentication: no key, a bad key → 401 in the SCIM error schema; viewer keys only read', async (t) => {
    const none = await fetch(`${target().url}/Users`);
    t.is(none.status, 401);
    t.like(await none.json(), {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
    });
    t.is((await scim(target(), 'GET', '/Users', undefined, {}, 'pvd_bogus')).status, 401);
    t.is((await scim(target(), 'GET', '/Users', undefined, {}, target().viewer)).status, 200);
    const write = await scim(
      target(),
      'POST',
      '/Users',
      newUser(uniqueName('viewer')),
      {},
      target().viewer,
    );
    t.is(write.status, 403);
    t.is(write.body.status, '403');
  });

  it('create: 201, Location, ETag, meta; duplicate userName in any case → 409 uniqueness', async (t) => {
    const name = uniqueName('Create');
    const created = await scim(
      target(),
      'POST',
      '/Users',
      newUser(name, { externalId: `ext-${name}`, password: 'Placeholder-Secret-123' }),
    );
    t.is(created.status, 201);
    t.is(created.headers.get('location'), created.body.meta.location);
    t.is(created.headers.get('etag'), created.body.meta.version);
    t.like(created.body.meta, { resourceType: 'User', version: 'W/"1"' });
    t.is(created.body.externalId, `ext-${name}`);
    t.false('password' in created.body, 'the password is never echoed');
    const dup = await scim(target(), 'POST', '/Users', newUser(name.toUpperCase()));
    t.is(dup.status, 409);
    t.like(dup.body, { status: '409', scimType: 'uniqueness' });
  });

  it('bad input: invalid JSON, missing schemas or userName, wrong types → 400 with a scimType', async (t) => {
    const raw = await fetch(`${target().url}/Users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${target().editor}`,
        'content-type': 'application/scim+json',
      },
      body: '{"userName":',
    });
    t.is(raw.status, 400);
    t.is((await raw.json()).scimType, 'invalidSyntax');
    t.is(
      (await scim(target(), 'POST', '/Users', { userName: 'x@example.com' })).body.scimType,
      'invalidSyntax',
    );
    t.is(
      (await scim(target(), 'POST', '/Users', { schemas: [USER] })).body.scimType,
      'invalidValue',
    );
    t.is(
      (await scim(target(), 'POST', '/Users', newUser(uniqueName('t'), { active: 'maybe' }))).body
        .scimType,
      'invalidValue',
    );
    t.is(
      (
        await scim(
          target(),
          'POST',
          '/Users',
          newUser(uniqueName('t'), { emails: [{ value: 'o brien@@example.com', primary: true }] }),
        )
      ).body.scimType,
      'invalidValue',
    );
    // An apostrophe is what RFC 5321 allows in an address from an identity provider.
    const irish = await scim(
      target(),
      'POST',
      '/Users',
      newUser(uniqueName('t'), { emails: [{ value: "o'brien@example.com", primary: true }] }),
    );
    t.is(irish.status, 201);
  });

  it('filters: every operator, and/or/not, parentheses, value paths, enterprise URN, case-insensitivity', async (t) => {
    const tag = `flt${process.pid}${kind}`;
    const mk = (local: string, extra: Record<string, unknown>) =>
      scim(target(), 'POST', '/Users', newUser(`${local}.${tag}@example.com`, extra));
    const a = await mk('anna', {
      title: 'Engineer',
      [ENTERPRISE]: { department: 'Sales', employeeNumber: '100' },
      emails: [
        { value: `anna.${tag}@work.example`, type: 'work', primary: true },
        { value: `anna.${tag}@home.example`, type: 'home' },
      ],
    });
    const b = await mk('bert', {
      title: 'Manager',
      active: false,
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '200' },
    });
    const c = await mk('carl', { [ENTERPRISE]: { department: 'sales' } });
    const ids = (r: { body: { Resources: Array<{ id: string }> } }) =>
      r.body.Resources.map((x) => x.id).sort();
    const find = async (filter: string) =>
      ids(await scim(target(), 'GET', `/Users${q(`(${filter}) and userName co "${tag}"`)}`));
    const [A, B, C] = [a.body.id, b.body.id, c.body.id];
    t.deepEqual(await find(`userName eq "ANNA.${tag}@EXAMPLE.COM"`), [A]);
    t.deepEqual(await find(`userName ne "anna.${tag}@example.com"`), [B, C].sort());
    t.deepEqual(await find('userName sw "bert"'), [B]);
    t.deepEqual(await find('userName ew "example.com"'), [A, B, C].sort());
    t.deepEqual(await find('title pr'), [A, B].sort());
    t.deepEqual(await find('not (title pr)'), [C]);
    t.deepEqual(await find('active eq false'), [B]);
    t.deepEqual(await find(`${ENTERPRISE}:department eq "SALES"`), [A, C].sort());
    t.deepEqual(await find(`${ENTERPRISE}:employeeNumber gt "150"`), [B]);
    t.deepEqual(await find(`${ENTERPRISE}:employeeNumber le "100"`), [A]);
    t.deepEqual(await find('emails[type eq "home" and value co "home.example"]'), [A]);
    t.deepEqual(await find('emails.value co "@work.example"'), [A]);
    t.deepEqual(
      await find('title eq "engineer" or (active eq false and title eq "Manager")'),
      [A, B].sort(),
    );
    t.deepEqual(await find(`meta.created gt "2000-01-01T00:00:00Z"`), [A, B, C].sort());
    t.deepEqual(await find('name.givenName sw "te"'), [A, B, C].sort());
    for (const bad of [
      'userName eq',
      'nosuch eq "x"',
      'active gt true',
      'meta.created gt "yesterday"',
      `emails[type eq "work"`,
    ]) {
      const response = await scim(target(), 'GET', `/Users${q(bad)}`);
      t.is(response.status, 400, bad);
      t.is(response.body.scimType, 'invalidFilter', bad);
    }
  });

  it('paging, sorting, projection, and POST /Users/.search', async (t) => {
    const tag = `pg${process.pid}${kind}`;
    for (const n of ['c', 'a', 'b'])
      await scim(
        target(),
        'POST',
        '/Users',
        newUser(`${n}.${tag}@example.com`, { title: `T-${n}` }),
      );
    const filter = encodeURIComponent(`userName co "${tag}"`);
    const page = await scim(
      target(),
      'GET',
      `/Users?filter=${filter}&sortBy=userName&sortOrder=descending&startIndex=2&count=1`,
    );
    t.like(page.body, { totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    t.regex(page.body.Resources[0].userName, /^b\./);
    t.like((await scim(target(), 'GET', `/Users?filter=${filter}&count=0`)).body, {
      totalResults: 3,
      itemsPerPage: 0,
      Resources: [],
    });
    t.like((await scim(target(), 'GET', `/Users?filter=${filter}&startIndex=10`)).body, {
      totalResults: 3,
      itemsPerPage: 0,
    });
    t.like((await scim(target(), 'GET', `/Users?filter=${filter}&startIndex=0&count=1`)).body, {
      startIndex: 1,
      itemsPerPage: 1,
    });
    t.is((await scim(target(), 'GET', `/Users?count=abc`)).body.scimType, 'invalidValue');
    const projected = await scim(
      target(),
      'GET',
      `/Users?filter=${filter}&attributes=userName,name.givenName&sortBy=title`,
    );
    t.deepEqual(Object.keys(projected.body.Resources[0]).sort(), [
      'id',
      'name',
      'schemas',
      'userName',
    ]);
    t.deepEqual(Object.keys(projected.body.Resources[0].name), ['givenName']);
    t.regex(projected.body.Resources[0].userName, /^a\./);
    const excluded = await scim(
      target(),
      'GET',
      `/Users?filter=${filter}&excludedAttributes=emails,meta,name`,
    );
    t.false(
      'emails' in excluded.body.Resources[0] ||
        'meta' in excluded.body.Resources[0] ||
        'name' in excluded.body.Resources[0],
    );
    t.truthy(excluded.body.Resources[0].id);
    const search = await scim(target(), 'POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: `userName co "${tag}"`,
      attributes: ['userName'],
      count: 2,
    });
    t.like(search.body, { totalResults: 3, itemsPerPage: 2 });
    const root = await scim(target(), 'POST', '/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: `userName co "${tag}"`,
    });
    t.is(root.status, 400, 'a filter on userName cannot apply to Groups');
  });

  it('versioning: ETag, If-None-Match → 304, If-Match mismatch → 412', async (t) => {
    const created = await scim(target(), 'POST', '/Users', newUser(uniqueName('etag')));
    const id = created.body.id;
    t.is(
      (await scim(target(), 'GET', `/Users/${id}`, undefined, { 'if-none-match': 'W/"1"' })).status,
      304,
    );
    const stale = await scim(
      target(),
      'PATCH',
      `/Users/${id}`,
      { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
      { 'if-match': 'W/"7"' },
    );
    t.is(stale.status, 412);
    const fresh = await scim(
      target(),
      'PATCH',
      `/Users/${id}`,
      { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
      { 'if-match': 'W/"1"' },
    );
    t.is(fresh.status, 200);
    t.is(fresh.headers.get('etag'), 'W/"2"');
    t.is(
      (await scim(target(), 'GET', `/Users/${id}`, undefined, { 'if-none-match': 'W/"1"' })).status,
      200,
    );
    t.is(
      (await scim(target(), 'DELETE', `/Users/${id}`, undefined, { 'if-match': 'W/"1"' })).status,
      412,
    );
  });

  it('20 parallel PATCHes with If-Match on one user: exactly one wins, none lost silently', async (t) => {
    const id = (await scim(target(), 'POST', '/Users', newUser(uniqueName('race')))).body.id;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        scim(
          target(),
          'PATCH',
          `/Users/${id}`,
          {
            schemas: [PATCH],
            Operations: [{ op: 'replace', path: 'title', value: `writer-${i}` }],
          },
          { 'if-match': 'W/"1"' },
        ),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    t.is(winners.length, 1);
    t.true(results.every((r) => r.status === 200 || r.status === 412));
    const final = await scim(target(), 'GET', `/Users/${id}`);
    t.is(final.body.title, winners[0]!.body.title);
    t.is(final.body.meta.version, 'W/"2"');
  });

  it('PATCH add / replace / remove with and without path, value filters and sub-attributes', async (t) => {
    const id = (
      await scim(
        target(),
        'POST',
        '/Users',
        newUser(uniqueName('patch'), { phoneNumbers: [{ value: '+1 555 0100', type: 'work' }] }),
      )
    ).body.id;
    const ops = (Operations: unknown[]) =>
      scim(target(), 'PATCH', `/Users/${id}`, { schemas: [PATCH], Operations });
    let r = await ops([
      { op: 'add', path: 'nickName', value: 'Nick' },
      { op: 'add', path: 'phoneNumbers', value: [{ value: '+1 555 0199', type: 'mobile' }] },
    ]);
    t.is(r.body.nickName, 'Nick');
    t.is(r.body.phoneNumbers.length, 2);
    r = await ops([
      { op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0111' },
      { op: 'replace', path: 'name.familyName', value: 'Renamed' },
    ]);
    t.is(r.body.phoneNumbers.find((p: { type: string }) => p.type === 'work').value, '+1 555 0111');
    t.is(r.body.name.familyName, 'Renamed');
    r = await ops([
      { op: 'remove', path: 'phoneNumbers[type eq "mobile"]' },
      { op: 'remove', path: 'nickName' },
    ]);
    t.deepEqual(
      r.body.phoneNumbers.map((p: { type: string }) => p.type),
      ['work'],
    );
    t.false('nickName' in r.body);
    r = await ops([{ op: 'replace', value: { title: 'Boss', name: { givenName: 'Given' } } }]);
    t.like(r.body, { title: 'Boss', name: { givenName: 'Given', familyName: 'Renamed' } });
    t.is((await ops([{ op: 'remove' }])).body.scimType, 'noTarget');
    t.is((await ops([{ op: 'replace', path: 'id', value: 'x' }])).body.scimType, 'mutability');
    t.is((await ops([{ op: 'replace', path: 'nosuch', value: 'x' }])).body.scimType, 'invalidPath');
    t.is(
      (await ops([{ op: 'explode', path: 'title', value: 'x' }])).body.scimType,
      'invalidSyntax',
    );
    t.is(
      (await scim(target(), 'PATCH', `/Users/${id}`, { Operations: [] })).body.scimType,
      'invalidSyntax',
    );
  });

  it('PUT replaces the user, keeps id and ignores read-only meta; a different id → 400 mutability', async (t) => {
    const name = uniqueName('put');
    const created = await scim(
      target(),
      'POST',
      '/Users',
      newUser(name, { title: 'Old', nickName: 'Old' }),
    );
    const put = await scim(target(), 'PUT', `/Users/${created.body.id}`, {
      ...newUser(name, { title: 'New' }),
      meta: { version: 'W/"99"' },
      groups: [{ value: 'x' }],
    });
    t.is(put.status, 200);
    t.is(put.body.title, 'New');
    t.false('nickName' in put.body, 'PUT replaces: what is left out is cleared');
    t.is(put.body.meta.version, 'W/"2"');
    const moved = await scim(target(), 'PUT', `/Users/${created.body.id}`, {
      ...newUser(name),
      id: '00000000-0000-4000-8000-000000000000',
    });
    t.is(moved.body.scimType, 'mutability');
  });

  it('active=false disables (still found by GET and filters); DELETE removes; 404 after', async (t) => {
    const id = (await scim(target(), 'POST', '/Users', newUser(uniqueName('life')))).body.id;
    await scim(target(), 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    t.false((await scim(target(), 'GET', `/Users/${id}`)).body.active);
    t.is(
      (await scim(target(), 'GET', `/Users${q(`id eq "${id}" and active eq false`)}`)).body
        .totalResults,
      1,
    );
    t.is((await scim(target(), 'DELETE', `/Users/${id}`)).status, 204);
    const gone = await scim(target(), 'GET', `/Users/${id}`);
    t.is(gone.status, 404);
    t.is(gone.body.status, '404');
    t.is((await scim(target(), 'GET', '/Users/not-an-id')).status, 404);
  });

  it('groups: create with members, filter by member, add/remove members by PATCH, rename, excludedAttributes, delete', async (t) => {
    const u1 = (await scim(target(), 'POST', '/Users', newUser(uniqueName('gm')))).body.id;
    const u2 = (await scim(target(), 'POST', '/Users', newUser(uniqueName('gm')))).body.id;
    const name = `Group ${process.pid} ${kind}`;
    const created = await scim(target(), 'POST', '/Groups', {
      schemas: [GROUP],
      displayName: name,
      externalId: 'g-ext',
      members: [{ value: u1 }],
    });
    t.is(created.status, 201);
    const gid = created.body.id;
    t.deepEqual(
      created.body.members.map((m: { value: string }) => m.value),
      [u1],
    );
    t.is(
      (
        await scim(target(), 'POST', '/Groups', {
          schemas: [GROUP],
          displayName: name.toLowerCase(),
        })
      ).body.scimType,
      'uniqueness',
    );
    t.is(
      (
        await scim(
          target(),
          'GET',
          `/Groups${q(`members[value eq "${u1}"] and displayName eq "${name}"`)}`,
        )
      ).body.totalResults,
      1,
    );
    const patch = (Operations: unknown[]) =>
      scim(target(), 'PATCH', `/Groups/${gid}`, { schemas: [PATCH], Operations });
    t.is((await patch([{ op: 'add', path: 'members', value: [{ value: u2 }] }])).status, 204);
    t.is((await scim(target(), 'GET', `/Users/${u2}`)).body.groups[0].value, gid);
    t.is((await patch([{ op: 'remove', path: `members[value eq "${u1}"]` }])).status, 204);
    let group = await scim(target(), 'GET', `/Groups/${gid}`);
    t.deepEqual(
      group.body.members.map((m: { value: string }) => m.value),
      [u2],
    );
    await patch([{ op: 'replace', path: 'displayName', value: `${name} renamed` }]);
    group = await scim(target(), 'GET', `/Groups/${gid}?excludedAttributes=members`);
    t.is(group.body.displayName, `${name} renamed`);
    t.false('members' in group.body);
    t.is(
      (await patch([{ op: 'add', path: 'members', value: [{ value: 'not-a-uuid' }] }])).body
        .scimType,
      'invalidValue',
    );
    const withBody = await scim(target(), 'PATCH', `/Groups/${gid}?attributes=displayName`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'externalId', value: 'g-ext-2' }],
    });
    t.is(withBody.status, 200);
    t.is(withBody.body.displayName, `${name} renamed`);
    t.is((await scim(target(), 'DELETE', `/Groups/${gid}`)).status, 204);
    t.is((await scim(target(), 'GET', `/Groups/${gid}`)).status, 404);
  });

  it('tenant isolation: another organization cannot read, filter, patch, delete or reference', async (t) => {
    const other = (method: string, path: string, body?: unknown) =>
      scim(target(), method, path, body, {}, target().otherOrgEditor);
    const name = uniqueName('isolated');
    const mine = (await scim(target(), 'POST', '/Users', newUser(name))).body.id;
    t.is((await other('GET', `/Users/${mine}`)).status, 404);
    t.is((await other('GET', `/Users${q(`userName eq "${name}"`)}`)).body.totalResults, 0);
    t.is(
      (
        await other('PATCH', `/Users/${mine}`, {
          schemas: [PATCH],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        })
      ).status,
      404,
    );
    t.is((await other('DELETE', `/Users/${mine}`)).status, 404);
    const grouped = await other('POST', '/Groups', {
      schemas: [GROUP],
      displayName: `steal ${name}`,
      members: [{ value: mine }],
    });
    t.is(grouped.status, 400);
    t.is(grouped.body.scimType, 'invalidValue');
    const theirs = (await other('POST', '/Users', newUser(uniqueName('theirs')))).body.id;
    const manager = await scim(
      target(),
      'POST',
      '/Users',
      newUser(uniqueName('mgr'), { [ENTERPRISE]: { manager: { value: theirs } } }),
    );
    t.is(manager.status, 400);
    t.true((await scim(target(), 'GET', '/Users?count=0')).body.totalResults > 0);
  });

  it('bulk: bulkId references, failOnErrors, maxOperations and maxPayloadSize enforced (413)', async (t) => {
    const name = uniqueName('bulk');
    const bulk = await scim(target(), 'POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', bulkId: 'u1', path: '/Users', data: newUser(name) },
        {
          method: 'POST',
          bulkId: 'g1',
          path: '/Groups',
          data: {
            schemas: [GROUP],
            displayName: `Bulk ${name}`,
            members: [{ value: 'bulkId:u1' }],
          },
        },
        {
          method: 'PATCH',
          path: '/Users/bulkId:u1',
          data: {
            schemas: [PATCH],
            Operations: [{ op: 'replace', path: 'title', value: 'Bulked' }],
          },
        },
        { method: 'POST', bulkId: 'dup', path: '/Users', data: newUser(name) },
        { method: 'DELETE', path: '/Users/00000000-0000-4000-8000-000000000000' },
      ],
    });
    t.is(bulk.status, 200);
    t.deepEqual(
      bulk.body.Operations.map((o: { status: string }) => o.status),
      ['201', '201', '200', '409', '404'],
    );
    const userId = bulk.body.Operations[0].location.split('/').pop();
    const group = await scim(
      target(),
      'GET',
      bulk.body.Operations[1].location.replace(target().url, ''),
    );
    t.deepEqual(
      group.body.members.map((m: { value: string }) => m.value),
      [userId],
    );
    t.is((await scim(target(), 'GET', `/Users/${userId}`)).body.title, 'Bulked');
    const stopped = await scim(target(), 'POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      failOnErrors: 1,
      Operations: [
        { method: 'POST', bulkId: 'a', path: '/Users', data: newUser(name) },
        { method: 'POST', bulkId: 'b', path: '/Users', data: newUser(uniqueName('never')) },
      ],
    });
    t.is(stopped.body.Operations.length, 1);
    const tooMany = await scim(target(), 'POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: Array.from({ length: 1001 }, () => ({ method: 'DELETE', path: '/Users/x' })),
    });
    t.is(tooMany.status, 413);
    const tooLarge = await scim(target(), 'POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        {
          method: 'POST',
          bulkId: 'x',
          path: '/Users',
          data: newUser(name, { title: 'x'.repeat(1_100_000) }),
        },
      ],
    });
    t.is(tooLarge.status, 413);
    t.is(tooLarge.body.status, '413');
  });

  it('methods an endpoint does not answer: 405 with Allow, decided before the body is read', async (t) => {
    for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas', '/Schemas/x']) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const response = await scim(target(), method, path, '{not json', {}, 'no-key');
        t.is(response.status, 405, `${method} ${path}`);
        t.is(response.headers.get('allow'), 'GET, HEAD');
        t.like(response.body, { status: '405' });
      }
    }
    const bulk = await scim(target(), 'GET', '/Bulk');
    t.is(bulk.status, 405);
    t.is(bulk.headers.get('allow'), 'POST');
    t.is((await scim(target(), 'DELETE', '/Users')).headers.get('allow'), 'GET, POST, HEAD');
  });

  it('removals remove: PATCH remove and PUT without an attribute leave it unassigned', async (t) => {
    const userName = uniqueName('removal');
    const bare = await scim(target(), 'POST', '/Users', {
      schemas: [USER],
      userName,
      active: 'True',
    });
    t.is(bare.status, 201);
    t.is(bare.body.active, true);
    t.false('name' in bare.body, 'no invented name');
    t.false('displayName' in bare.body, 'no invented displayName');
    const id = bare.body.id;
    const full = newUser(uniqueName('removal'), {
      displayName: 'Barbara Jensen',
      name: { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Ms. Barbara Jensen' },
    });
    const user = (await scim(target(), 'POST', '/Users', full)).body;
    const remove = (path: string) =>
      scim(target(), 'PATCH', `/Users/${user.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'remove', path }],
      });
    t.is((await remove('name.givenName')).status, 200);
    let got = (await scim(target(), 'GET', `/Users/${user.id}`)).body;
    t.deepEqual(got.name, { familyName: 'Jensen', formatted: 'Ms. Barbara Jensen' });
    t.is((await remove('displayName')).status, 200);
    t.is((await remove('emails')).status, 200);
    got = (await scim(target(), 'GET', `/Users/${user.id}`)).body;
    t.false('displayName' in got);
    t.false('emails' in got);
    t.is((await remove('name')).status, 200);
    got = (await scim(target(), 'GET', `/Users/${user.id}`)).body;
    t.false('name' in got);
    const put = await scim(target(), 'PUT', `/Users/${id}`, {
      schemas: [USER],
      userName,
      title: 'x',
    });
    t.is(put.status, 200);
    t.false('name' in put.body);
    t.false('emails' in put.body);
    const found = await scim(
      target(),
      'GET',
      `/Users${q(`userName eq "${userName}" and not (displayName pr)`)}`,
    );
    t.is(found.body.totalResults, 1);
  });

  it('value-path filters and projections act on one entry of a multi-valued attribute', async (t) => {
    const home = uniqueName('vp');
    const work = uniqueName('vp');
    const a = await scim(
      target(),
      'POST',
      '/Users',
      newUser(uniqueName('vpa'), {
        emails: [
          { value: `w.${home}`, type: 'work', primary: 'True' },
          { value: home, type: 'home' },
        ],
      }),
    );
    const b = await scim(
      target(),
      'POST',
      '/Users',
      newUser(uniqueName('vpb'), {
        emails: [
          { value: `h.${work}`, type: 'home' },
          { value: work, type: 'work' },
        ],
      }),
    );
    t.is(a.status, 201);
    t.is(b.status, 201);
    const byWork = await scim(
      target(),
      'GET',
      `/Users${q(`emails[type eq "work"].value eq "${home}"`)}`,
    );
    t.is(byWork.body.totalResults, 0, 'the home address does not match a work-address filter');
    const found = await scim(
      target(),
      'GET',
      `/Users${q(`emails[type eq "work"].value eq "${work}"`)}`,
    );
    t.deepEqual(
      found.body.Resources.map((r: any) => r.id),
      [b.body.id],
    );
    const projected = await scim(
      target(),
      'GET',
      `/Users/${b.body.id}?attributes=${encodeURIComponent('emails[type eq "work"].value')}`,
    );
    t.deepEqual(projected.body.emails, [{ value: work }]);
  });

  it('bad dates, indexes and bulk operations are 4xx, never 500', async (t) => {
    for (const date of ['2020-02-30', '1', '275760-09-13T00:00:00Z']) {
      const response = await scim(target(), 'GET', `/Users${q(`meta.created gt "${date}"`)}`);
      t.is(response.status, 400, date);
      t.is(response.body.scimType, 'invalidFilter');
    }
    const index = await scim(target(), 'GET', '/Users?startIndex=99999999999999999999');
    t.is(index.status, 400);
    t.is(index.body.scimType, 'invalidValue');
    const deep = await scim(
      target(),
      'GET',
      `/Users${q(`${'('.repeat(500)}title pr${')'.repeat(500)}`)}`,
    );
    t.is(deep.status, 400);
    t.is(deep.body.scimType, 'invalidFilter');
    // 5,000 terms do not fit a request line; a search body carries them.
    const huge = Array.from({ length: 5000 }, (_, i) => `title eq "${i}"`).join(' or ');
    const searched = await scim(target(), 'POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: huge,
    });
    t.is(searched.status, 400);
    t.is(searched.body.scimType, 'invalidFilter');
    t.regex(searched.body.detail, /^filter: must be at most \d+ characters/);
    for (const raw of ['%FF%FE', 'userName%20eq%20%22%C3%28%22', 'title%20eq%20%22%ED%A0%80%22']) {
      const response = await scim(target(), 'GET', `/Users?filter=${raw}`);
      t.is(response.status, 400, raw);
      t.is(response.body.scimType, 'invalidFilter', raw);
    }
    // The same in PATCH paths: refused, nothing written.
    const victim = await scim(target(), 'POST', '/Users', newUser(uniqueName('badpath')));
    for (const path of [
      `emails[${huge}].value`,
      `emails[${'('.repeat(500)}type eq "work"${')'.repeat(500)}].value`,
      'emails[type eq "\uD800"].value',
    ]) {
      const response = await scim(target(), 'PATCH', `/Users/${victim.body.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path, value: 'x@example.com' }],
      });
      t.is(response.status, 400, path.slice(0, 40));
      t.regex(response.body.scimType, /^(invalidPath|invalidFilter|invalidValue)$/);
    }
    t.is(
      (await scim(target(), 'GET', `/Users/${victim.body.id}`)).body.meta.version,
      victim.body.meta.version,
    );
    const bulk = await scim(target(), 'POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', bulkId: 'a', path: '/Users', data: 'nope' },
        { method: 'POST', bulkId: 'b', path: '/Users', data: { schemas: [USER], userName: 7 } },
        { method: 'PATCH', path: '/Users/00000000-0000-4000-8000-000000000000', data: {} },
        { method: 'PATCH', path: '/Users/not-an-id', data: { schemas: [PATCH], Operations: [] } },
        { method: 'GET', path: '/Users' },
        { method: 'POST', path: { x: 1 } },
        { method: 'DELETE', path: '/Groups/bulkId:missing' },
        {
          method: 'POST',
          bulkId: 'c',
          path: '/Users',
          data: { schemas: [USER], userName: uniqueName('bk'), active: 'maybe' },
        },
      ],
    });
    t.is(bulk.status, 200);
    for (const result of bulk.body.Operations) {
      t.regex(result.status, /^4\d\d$/, JSON.stringify(result));
      t.is(result.response.status, result.status);
    }
  });

  it('scoped keys: a SCIM key reaches only /scim/v2, an api key only /api/v1', async (t) => {
    const apiUrl = target().url.replace(/\/scim\/v2$/, '/api/v1');
    const scimKey = target().editor;
    const asApi = await fetch(`${apiUrl}/members`, {
      headers: { authorization: `Bearer ${scimKey}` },
    });
    t.is(asApi.status, 403);
    t.regex(await asApi.text(), /SCIM only/);
    const created = await runCli(
      [
        'keys',
        'create',
        '--title',
        'admin script',
        '--role',
        'editor',
        '--expires-in-days',
        '365',
        '--json',
      ],
      target().env,
    );
    const apiKey = JSON.parse(created.stdout);
    t.deepEqual(apiKey.scopes, ['api']);
    const refused = await scim(target(), 'GET', '/Users', undefined, {}, apiKey.secret);
    t.is(refused.status, 403);
    t.is(refused.body.status, '403');
    t.is(
      (await fetch(`${apiUrl}/members`, { headers: { authorization: `Bearer ${apiKey.secret}` } }))
        .status,
      200,
    );
    const both = JSON.parse(
      (
        await runCli(
          [
            'keys',
            'create',
            '--title',
            'both',
            '--role',
            'viewer',
            '--scope',
            'both',
            '--expires-in-days',
            '365',
            '--json',
          ],
          target().env,
        )
      ).stdout,
    );
    t.deepEqual(both.scopes, ['api', 'scim']);
    t.is((await scim(target(), 'GET', '/Users', undefined, {}, both.secret)).status, 200);
  });

  it('the provisioning log answers "what did the provider send and what did we do"', async (t) => {
    const userName = uniqueName('logged');
    const created = await scim(
      target(),
      'POST',
      '/Users',
      newUser(userName, { password: 'Secret-pw-42' }),
    );
    t.is(created.status, 201);
    const id = created.body.id;
    await scim(target(), 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Logged User' },
        { op: 'remove', path: 'title' },
      ],
    });
    const conflict = await scim(target(), 'POST', '/Users', newUser(userName));
    t.is(conflict.status, 409);
    await scim(target(), 'DELETE', `/Users/${id}`);
    // Entries are written once the answer is sent: wait until the four are there.
    let log: any;
    for (let i = 0; i < 50; i++) {
      const listed = await runCli(['scim', 'log', '--json', '--page-size', '200'], target().env);
      log = JSON.parse(listed.stdout);
      if (log.items.filter((e: any) => e.targetId === id || e.status === 409).length >= 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const mine = log.items.filter((e: any) => e.targetId === id);
    t.deepEqual(
      mine.map((e: any) => `${e.operation} ${e.status}`),
      ['delete 204', 'update 200', 'create 201'],
    );
    t.true(mine.every((e: any) => /API key/.test(e.keyTitle) && e.resourceType === 'User'));
    t.deepEqual(mine[1].attributes, ['displayName', 'title']);
    t.true(mine[2].attributes.includes('password'), 'the name of what was sent');
    t.false(JSON.stringify(log).includes('Secret-pw-42'), 'never its value');
    const failures = JSON.parse(
      (
        await runCli(
          [
            'scim',
            'log',
            '--outcome',
            'failure',
            '--status',
            '409',
            '--page-size',
            '200',
            '--json',
          ],
          target().env,
        )
      ).stdout,
    );
    t.true(failures.items.length >= 1);
    t.true(failures.items.every((e: any) => e.status === 409));
    // Other tests share this daemon and log their own 409s: find ours by its userName.
    const ours = failures.items.filter((e: any) => e.detail.includes(`"${userName}"`));
    t.is(ours.length, 1);
    t.regex(ours[0].detail, /already taken/);
    t.is(ours[0].operation, 'create');
    const byTarget = JSON.parse(
      (
        await runCli(
          ['scim', 'log', '--target', id, '--operation', 'update', '--json'],
          target().env,
        )
      ).stdout,
    );
    t.is(byTarget.total, 1);
    const table = await runCli(['scim', 'log', '--target', id], target().env);
    t.is(table.code, 0);
    t.regex(table.stdout, /PATCH User/);
    t.is((await runCli(['scim', 'log', '--operation', 'explode'], target().env)).code, 2);
  });

  it('the provisioning log records a Bulk request operation by operation, linked to it', async (t) => {
    const userName = uniqueName('bulk-logged');
    const ref = `u-${userName}`;
    const bulk = await scim(target(), 'POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        {
          method: 'POST',
          path: '/Users',
          bulkId: ref,
          data: newUser(userName, { password: 'Bulk-secret-77' }),
        },
        {
          method: 'PATCH',
          path: `/Users/bulkId:${ref}`,
          data: {
            schemas: [PATCH],
            Operations: [{ op: 'replace', path: 'title', value: 'Bulk logged' }],
          },
        },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: `g-${userName}`,
          data: {
            schemas: [GROUP],
            displayName: `Logged ${userName}`,
            members: [{ value: `bulkId:${ref}` }],
          },
        },
        { method: 'DELETE', path: '/Users/00000000-0000-4000-8000-000000000000' },
      ],
    });
    t.is(bulk.status, 200);
    const [userId, , groupId] = bulk.body.Operations.map((o: any) => o.location?.split('/').pop());
    // Entries are written once the answer is sent: wait until the request's operations are there.
    const listed = async (args: string[]) =>
      JSON.parse((await runCli(['scim', 'log', '--json', ...args], target().env)).stdout);
    let mine: any[] = [];
    for (let i = 0; i < 50 && mine.length === 0; i++) {
      const log = await listed(['--page-size', '200', '--target', userId]);
      mine = log.items.filter((e: any) => e.bulkId === ref && e.method === 'POST');
      if (mine.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    t.is(mine.length, 1, 'the POST operation is logged under its own user id');
    const bulkEntryId = mine[0].bulkEntryId;
    t.is(typeof bulkEntryId, 'number');
    const operations = (await listed(['--bulk', String(bulkEntryId)])).items.reverse();
    t.deepEqual(
      operations.map((e: any) => [e.method, e.operation, e.resourceType, e.path, e.status]),
      [
        ['POST', 'create', 'User', '/Users', 201],
        ['PATCH', 'update', 'User', `/Users/bulkId:${ref}`, 200],
        ['POST', 'create', 'Group', '/Groups', 201],
        ['DELETE', 'delete', 'User', '/Users/00000000-0000-4000-8000-000000000000', 404],
      ],
    );
    t.deepEqual(
      operations.map((e: any) => e.targetId),
      [userId, userId, groupId, '00000000-0000-4000-8000-000000000000'],
      'the target is the resolved id, also for a bulkId reference',
    );
    t.deepEqual(
      operations.map((e: any) => e.bulkId),
      [ref, null, `g-${userName}`, null],
    );
    t.true(operations[0].attributes.includes('password'), 'the name of what was sent');
    t.deepEqual(operations[1].attributes, ['title']);
    t.deepEqual(operations[2].attributes.sort(), ['displayName', 'members']);
    t.is(operations[0].detail, null);
    t.regex(operations[3].detail, /00000000-0000-4000-8000-000000000000/);
    t.true(operations.every((e: any) => /API key/.test(e.keyTitle)));
    const request = (await listed(['--operation', 'bulk', '--page-size', '200'])).items.find(
      (e: any) => e.id === bulkEntryId,
    );
    t.like(request, {
      method: 'POST',
      resourceType: 'Bulk',
      status: 200,
      bulkEntryId: null,
      detail: '4 operations run, 1 failed',
    });
    t.false(
      JSON.stringify(await listed(['--page-size', '200'])).includes('Bulk-secret-77'),
      'never a value',
    );
    const table = await runCli(['scim', 'log', '--bulk', String(bulkEntryId)], target().env);
    t.regex(
      table.stdout,
      new RegExp(`PATCH /Users/bulkId:${ref.replace(/[.]/g, '\\.')} in bulk ${bulkEntryId}`),
    );
    // A write to /users (Express routes without regard to case) is logged like one to /Users.
    const lower = await scim(target(), 'PATCH', `/users/${userId}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'title', value: 'Lower case' }],
    });
    t.is(lower.status, 200);
    let single: any[] = [];
    for (let i = 0; i < 50 && single.length === 0; i++) {
      const log = await listed(['--target', userId, '--operation', 'update']);
      single = log.items.filter((e: any) => e.bulkEntryId === null);
      if (single.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    t.like(single[0], {
      method: 'PATCH',
      resourceType: 'User',
      status: 200,
      attributes: ['title'],
    });
  });
});
