import test from 'ava';
import { expandNested } from '../../plugins/ldap/nested-groups.ts';
import { guidText } from '../../plugins/ldap/entry-mapping.ts';
import { DEFAULT_ROLES, DEFAULT_USER_TYPES } from '../../src/catalog/default-catalog.ts';
import type { SourceGroup, SourceUser } from '../../src/plugin-api.ts';
import { exceedsGuard } from '../../src/sync/deletion-guard.ts';
import { type MappingContext, mapUser, matchingRule } from '../../src/sync/member-mapping.ts';
import { type Correlation, planUser } from '../../src/sync/user-plan.ts';

// The pure rules of the sync engine: mapping, situations, the guard, GUIDs, nesting.

const catalog = {
  userTypes: DEFAULT_USER_TYPES.map((t, i) => ({
    id: `ut${i}`,
    name: t.name,
    fileId: t.fileId,
    aliases: t.aliases,
    privileges: t.privileges,
  })),
  roles: DEFAULT_ROLES.map((r, i) => ({
    id: `r${i}`,
    name: r.name,
    aliases: r.aliases,
    privileges: r.privileges,
    parameterName: null,
    exclusiveSet: null,
  })),
};
const ctx: MappingContext = { catalog, rules: [], defaults: { userType: 'Creator', role: 'User' } };
const user = (extra: Partial<SourceUser> = {}): SourceUser => ({
  kind: 'user',
  externalId: 'e1',
  ref: 'uid=ada,ou=people',
  login: 'ada',
  email: 'ada@example.org',
  firstName: 'Ada',
  lastName: 'Lovelace',
  displayName: '',
  disabled: false,
  groups: [],
  ...extra,
});
const none: Correlation = { link: undefined, byUsername: [], byEmail: [] };

test('mapping: AD logins keep @ and the domain; names derive; email optional, as RFC 5321 allows', (t) => {
  const mapped = mapUser(user({ login: 'j doe@EXAMPLE' }), ctx);
  t.true(mapped.ok);
  if (mapped.ok) t.is(mapped.member.username, 'j_doe@EXAMPLE');
  const emailOf = (m: ReturnType<typeof mapUser>) => (m.ok ? m.member.email : m.reason);
  // The directory is where the identity lives: no address there, none here (or the stand-in).
  t.is(emailOf(mapUser(user({ email: null }), ctx)), null);
  t.is(emailOf(mapUser(user({ email: '  ' }), ctx)), null);
  t.is(
    emailOf(mapUser(user({ email: null }), { ...ctx, standInEmail: 'it@example.org' })),
    'it@example.org',
  );
  t.is(emailOf(mapUser(user({ email: "o'brien@example.org" }), ctx)), "o'brien@example.org");
  t.regex(String(emailOf(mapUser(user({ email: 'not an address' }), ctx))), /^email /);
  const named = mapUser(
    user({ firstName: '', lastName: '', displayName: 'Grace Brewster Hopper' }),
    ctx,
  );
  t.like(named.ok ? named.member : {}, { firstName: 'Grace', lastName: 'Brewster Hopper' });
});

test('role rules: the first rule naming one of the groups wins, by DN or by name', (t) => {
  const rules = [
    { group: 'cn=admins,ou=groups', role: 'Administrator' },
    { group: 'staff', role: 'Viewer', userType: 'Viewer' },
  ];
  t.is(matchingRule(rules, ['cn=staff,ou=groups', 'cn=admins,ou=groups'])?.role, 'Administrator');
  t.is(matchingRule(rules, ['cn=staff,ou=groups'])?.role, 'Viewer');
  t.is(matchingRule(rules, ['cn=other,ou=groups']), null);
  const refused = mapUser(user({ groups: ['cn=staff,ou=groups'] }), {
    ...ctx,
    rules: [{ group: 'staff', role: 'Administrator', userType: 'Viewer' }],
  });
  t.false(
    refused.ok,
    'a rule giving a role the user type cannot hold is an error, not a silent grant',
  );
});

test('situations: linked unchanged or updated, unlinked, unmatched, disputed', (t) => {
  const mapped = mapUser(user(), ctx);
  if (!mapped.ok) return t.fail();
  const link = {
    memberId: 'm1',
    hash: mapped.member.hash,
    disabledBySync: false,
    status: 'active' as const,
  };
  t.like(planUser(user(), mapped, { ...none, link }, ['username']), {
    situation: 'linked',
    kind: 'unchanged',
  });
  t.like(planUser(user(), mapped, { ...none, link: { ...link, hash: 'old' } }, ['username']), {
    kind: 'update',
    status: 'active',
  });
  t.like(
    planUser(
      user(),
      mapped,
      { ...none, link: { ...link, status: 'disabled', disabledBySync: true } },
      ['username'],
    ),
    { kind: 'update', status: 'active', disabledBySync: false },
    're-enabled',
  );
  t.like(
    planUser(
      user(),
      mapped,
      { ...none, link: { ...link, status: 'disabled', disabledBySync: false } },
      ['username'],
    ),
    { kind: 'unchanged' },
    'disabled by an administrator: left alone',
  );
  t.like(
    planUser(user(), mapped, { ...none, byUsername: [{ memberId: 'm2', linkedTo: null }] }, [
      'username',
    ]),
    { situation: 'unlinked', memberId: 'm2' },
  );
  t.like(
    planUser(user(), mapped, { ...none, byEmail: [{ memberId: 'm2', linkedTo: null }] }, [
      'username',
    ]),
    { situation: 'unmatched' },
    'email is not a rule here',
  );
  t.like(
    planUser(
      user(),
      mapped,
      {
        ...none,
        byUsername: [{ memberId: 'm2', linkedTo: null }],
        byEmail: [{ memberId: 'm3', linkedTo: null }],
      },
      ['username', 'email'],
    ),
    { situation: 'disputed' },
  );
  t.like(
    planUser(user(), mapped, { ...none, byUsername: [{ memberId: 'm2', linkedTo: 'other' }] }, [
      'username',
    ]),
    { situation: 'disputed' },
  );
});

test('the deletion guard: more than the percentage or more than the maximum holds', (t) => {
  const limits = { percent: 10, max: 500 };
  t.false(exceedsGuard(0, 0, limits));
  t.false(exceedsGuard(10, 100, limits));
  t.true(exceedsGuard(11, 100, limits));
  t.true(exceedsGuard(501, 100_000, limits));
  t.false(exceedsGuard(500, 100_000, limits));
});

test('objectGUID bytes to the text form AD shows', (t) => {
  const bytes = Buffer.from('95518dc79c963f4aaa3385ecc0401b54', 'hex');
  t.is(guidText(bytes), 'c78d5195-969c-4a3f-aa33-85ecc0401b54');
  t.throws(() => guidText(Buffer.alloc(3)));
});

test('nested groups expand to any depth and survive cycles', (t) => {
  const g = (ref: string, members: string[]): SourceGroup => ({
    kind: 'group',
    externalId: ref,
    ref,
    name: ref,
    description: '',
    members,
  });
  const expanded = expandNested([g('a', ['u1', 'b']), g('b', ['u2', 'c']), g('c', ['u3', 'a'])]);
  t.deepEqual(expanded.find((x) => x.ref === 'a')!.members.sort(), ['u1', 'u2', 'u3']);
});
