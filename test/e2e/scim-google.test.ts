import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { PATCH, USER, eachScimTarget, q, scim } from '../helpers/scim.ts';

// Google Workspace's automatic user provisioning, replayed from its documentation of SCIM apps:
// a one-user page to test the connection, plain JSON content type, lower-case ops with paths,
// suspension as active=false, and deletion.

eachScimTarget((kind, target) => {
  const it = (title: string, fn: (t: ExecutionContext) => Promise<void>) =>
    test(`[${kind}] Google: ${title}`, fn);

  it('test connection: a one-user page answers with a ListResponse', async (t) => {
    const page = await scim(target(), 'GET', '/Users?startIndex=1&count=1', undefined, {
      accept: 'application/scim+json',
    });
    t.is(page.status, 200);
    t.is(page.headers.get('content-type'), 'application/scim+json');
    t.is(page.body.schemas[0], 'urn:ietf:params:scim:api:messages:2.0:ListResponse');
  });

  it('provision, update, suspend, restore and delete a user with application/json bodies', async (t) => {
    const userName = `jane.doe.${randomUUID()}@example.org`;
    const json = { 'content-type': 'application/json' };
    const created = await scim(
      target(),
      'POST',
      '/Users',
      JSON.stringify({
        schemas: [USER],
        userName,
        externalId: randomUUID(),
        active: true,
        name: { givenName: 'Jane', familyName: 'Doe' },
        emails: [{ value: userName, type: 'work', primary: true }],
      }),
      json,
    );
    t.is(created.status, 201);
    const id = created.body.id;
    t.is(
      (await scim(target(), 'GET', `/Users${q(`userName eq "${userName}"`)}`)).body.Resources[0].id,
      id,
    );
    const ops = (Operations: unknown[]) =>
      scim(
        target(),
        'PATCH',
        `/Users/${id}`,
        JSON.stringify({ schemas: [PATCH], Operations }),
        json,
      );
    const renamed = await ops([
      { op: 'replace', path: 'name.givenName', value: 'Janet' },
      { op: 'replace', path: 'displayName', value: 'Janet Doe' },
    ]);
    t.like(renamed.body, { name: { givenName: 'Janet' }, displayName: 'Janet Doe' });
    t.false((await ops([{ op: 'replace', path: 'active', value: false }])).body.active);
    t.true((await ops([{ op: 'replace', path: 'active', value: true }])).body.active);
    t.is((await scim(target(), 'DELETE', `/Users/${id}`)).status, 204);
    t.is(
      (await scim(target(), 'GET', `/Users${q(`userName eq "${userName}"`)}`)).body.totalResults,
      0,
    );
  });
});
