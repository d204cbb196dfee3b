import test from 'ava';
import { parseProjection, project } from '../../src/scim/projection.ts';
import { ScimError } from '../../src/scim/scim-error.ts';

const user = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'u1',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'b@work.example', type: 'work', primary: true },
    { value: 'b@home.example', type: 'home' },
  ],
};

test('attributes with a value path keep only the entries it selects', (t) => {
  t.deepEqual(project(user, parseProjection('emails[type eq "work"]', undefined)), {
    schemas: user.schemas,
    id: 'u1',
    emails: [{ value: 'b@work.example', type: 'work', primary: true }],
  });
  t.deepEqual(
    project(user, parseProjection('emails[type eq "WORK"].value,name.givenName', undefined)),
    {
      schemas: user.schemas,
      id: 'u1',
      name: { givenName: 'Barbara' },
      emails: [{ value: 'b@work.example' }],
    },
  );
});

test('excludedAttributes with a value path or a sub-attribute drops just that', (t) => {
  const out = project(user, parseProjection(undefined, 'emails[type eq "home"],name.familyName'));
  t.deepEqual(out.emails, [{ value: 'b@work.example', type: 'work', primary: true }]);
  t.deepEqual(out.name, { givenName: 'Barbara' });
  t.deepEqual(project(user, parseProjection(undefined, 'emails.primary')).emails, [
    { value: 'b@work.example', type: 'work' },
    { value: 'b@home.example', type: 'home' },
  ]);
});

test('commas inside a value filter do not split the list; bad paths are 400s', (t) => {
  const out = project(
    user,
    parseProjection('emails[value co "," or type eq "home"],userName', undefined),
  );
  t.deepEqual(out.emails, [{ value: 'b@home.example', type: 'home' }]);
  t.is(out.userName, 'bjensen');
  for (const bad of ['emails[type eq]', 'emails[', 'userName[type eq "x"]']) {
    const error = t.throws(() => project(user, parseProjection(bad, undefined)), {
      instanceOf: ScimError,
    }) as ScimError;
    t.is(error.status, 400, bad);
  }
});
