import test from 'ava';
import { applyUserPatch, parsePatchRequest } from '../../src/scim/patch-ops.ts';
import { ScimError } from '../../src/scim/scim-error.ts';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ops = (...Operations: unknown[]) => parsePatchRequest({ schemas: [PATCH], Operations });
const base = () => ({
  userName: 'u',
  active: true,
  name: { givenName: 'A', familyName: 'B' },
  emails: [{ value: 'a@x', type: 'work', primary: true }],
});

test('ops are case-insensitive and "False"/"True" become booleans', (t) => {
  t.false(applyUserPatch(base(), ops({ op: 'Replace', path: 'active', value: 'False' })).active);
  t.true(
    applyUserPatch(
      { ...base(), active: false },
      ops({ op: 'REPLACE', path: 'Active', value: 'true' }),
    ).active,
  );
  t.throws(() => applyUserPatch(base(), ops({ op: 'replace', path: 'active', value: 'perhaps' })), {
    instanceOf: ScimError,
  });
});

test('a path-less value with dotted keys and URNs reaches the right attributes', (t) => {
  const doc = applyUserPatch(
    base(),
    ops({
      op: 'replace',
      value: {
        'name.givenName': 'Z',
        [`${ENT}:department`]: 'D',
        [ENT]: { costCenter: 'C' },
        id: 'ignored',
      },
    }),
  );
  t.deepEqual(doc.name, { givenName: 'Z', familyName: 'B' });
  t.deepEqual(doc[ENT], { department: 'D', costCenter: 'C' });
  t.false('id' in doc);
});

test('a value filter that matches nothing creates the entry, for add and replace', (t) => {
  const doc = applyUserPatch(
    base(),
    ops(
      { op: 'add', path: 'emails[type eq "home"].value', value: 'h@x' },
      { op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '1' },
    ),
  );
  t.deepEqual((doc.emails as unknown[])[1], { type: 'home', value: 'h@x' });
  t.deepEqual(doc.phoneNumbers, [{ type: 'work', value: '1' }]);
});

test('the manager: bare id, array form, "" and null clear it', (t) => {
  t.deepEqual(
    applyUserPatch(base(), ops({ op: 'add', path: `${ENT}:manager`, value: 'm1' }))[ENT],
    { manager: { value: 'm1' } },
  );
  t.deepEqual(
    applyUserPatch(
      base(),
      ops({ op: 'add', path: 'manager', value: [{ $ref: null, value: 'm2' }] }),
    )[ENT],
    { manager: { value: 'm2' } },
  );
  const withManager = { ...base(), [ENT]: { manager: { value: 'm1' }, department: 'D' } };
  t.deepEqual(
    applyUserPatch(withManager, ops({ op: 'replace', path: `${ENT}:manager`, value: '' }))[ENT],
    { department: 'D' },
  );
  t.deepEqual(
    applyUserPatch(withManager, ops({ op: 'replace', path: `${ENT}:manager`, value: null }))[ENT],
    { department: 'D' },
  );
});

test('remove: by value filter, by value array, and a sub-attribute', (t) => {
  const doc = {
    ...base(),
    phoneNumbers: [
      { value: '1', type: 'work' },
      { value: '2', type: 'home' },
      { value: '3', type: 'fax' },
    ],
  };
  t.deepEqual(
    applyUserPatch(doc, ops({ op: 'remove', path: 'phoneNumbers[type eq "home"]' })).phoneNumbers,
    [
      { value: '1', type: 'work' },
      { value: '3', type: 'fax' },
    ],
  );
  t.deepEqual(
    applyUserPatch(
      doc,
      ops({ op: 'remove', path: 'phoneNumbers', value: [{ value: '1' }, { value: '3' }] }),
    ).phoneNumbers,
    [{ value: '2', type: 'home' }],
  );
  t.deepEqual(applyUserPatch(base(), ops({ op: 'remove', path: 'name.givenName' })).name, {
    familyName: 'B',
  });
});

test('malformed requests are refused with the matching scimType', (t) => {
  const type = (fn: () => unknown) =>
    (t.throws(fn, { instanceOf: ScimError }) as ScimError).scimType;
  t.is(
    type(() => parsePatchRequest({ Operations: [] })),
    'invalidSyntax',
  );
  t.is(
    type(() => ops({ op: 'remove' })),
    'noTarget',
  );
  t.is(
    type(() => ops({ op: 'add', path: 'title' })),
    'invalidSyntax',
  );
  t.is(
    type(() => applyUserPatch(base(), ops({ op: 'replace', path: 'meta.version', value: 'x' }))),
    'mutability',
  );
  t.is(
    type(() => applyUserPatch(base(), ops({ op: 'replace', path: 'emails[type eq', value: 'x' }))),
    'invalidPath',
  );
  t.is(
    type(() =>
      applyUserPatch(base(), ops({ op: 'replace', path: 'title[type eq "x"]', value: 'x' })),
    ),
    'invalidPath',
  );
});
