import test from 'ava';
import type { Entry } from 'ldapts';
import { ldapSourceSchema } from '../../plugins/ldap/config.ts';
import { accountExpiry, toUser, userAttributes } from '../../plugins/ldap/entry-mapping.ts';
import { flavorSettings } from '../../plugins/ldap/flavors.ts';
import { DEFAULT_ROLES, DEFAULT_USER_TYPES } from '../../src/catalog/default-catalog.ts';
import type { SourceUser } from '../../src/plugin-api.ts';
import { type MappingContext, mapUser } from '../../src/sync/member-mapping.ts';

// The attribute map from directory attributes to member profile fields (defaults per flavor,
// overrides), AD accountExpires, and the content hash that keeps a no-change resync silent.

const source = (flavor: string, attributes: Record<string, string> = {}) =>
  ldapSourceSchema.parse({
    name: 'corp',
    type: 'ldap',
    flavor,
    url: 'ldap://127.0.0.1:389',
    bindDN: 'cn=admin',
    bindCredentials: { env: 'X' },
    users: { baseDN: 'dc=example,dc=org', attributes },
  });

test('flavor defaults: inetOrgPerson for OpenLDAP, AD names for AD; a named attribute overrides one', (t) => {
  t.deepEqual(flavorSettings(source('openldap')).profile, {
    department: 'departmentNumber',
    title: 'title',
    employeeNumber: 'employeeNumber',
    phone: 'telephoneNumber',
    manager: 'manager',
  });
  t.deepEqual(flavorSettings(source('ad')).profile, {
    department: 'department',
    title: 'title',
    employeeNumber: 'employeeID',
    phone: 'telephoneNumber',
    manager: 'manager',
  });
  const custom = source('openldap', { phone: 'mobile' });
  t.is(flavorSettings(custom).profile.phone, 'mobile');
  t.true(userAttributes(custom, flavorSettings(custom)).includes('mobile'));
  t.false(userAttributes(custom, flavorSettings(custom)).includes('telephoneNumber'));
  t.true(userAttributes(source('ad'), flavorSettings(source('ad'))).includes('accountExpires'));
});

test('accountExpires: 100-ns intervals since 1601; 0 and the largest value mean never', (t) => {
  t.is(accountExpiry('0'), null);
  t.is(accountExpiry('9223372036854775807'), null);
  t.is(accountExpiry(''), null);
  // 2030-01-01T00:00:00Z
  t.is(accountExpiry('135379296000000000')?.toISOString(), '2030-01-01T00:00:00.000Z');
  t.is(accountExpiry('116444736000000000')?.toISOString(), '1970-01-01T00:00:00.000Z');
});

const adEntry = (extra: Record<string, string>): Entry => ({
  dn: 'CN=Ada,CN=Users,DC=corp,DC=example',
  objectGUID: Buffer.alloc(16, 1),
  sAMAccountName: 'ada',
  mail: 'ada@corp.example',
  givenName: 'Ada',
  sn: 'Lovelace',
  userAccountControl: '512',
  department: 'Research',
  employeeID: 'E-7',
  ...extra,
});

test('AD: profile read through the map; the member is disabled once accountExpires has passed', (t) => {
  const config = source('ad');
  const flavor = flavorSettings(config);
  const now = new Date('2030-06-01T00:00:00Z');
  const active = toUser(adEntry({ accountExpires: '0' }), config, flavor, 'CORP', now);
  t.false(active.disabled);
  t.deepEqual(active.profile, { department: 'Research', employeeNumber: 'E-7' });
  const later = toUser(
    adEntry({ accountExpires: '135694656000000000' }), // 2031-01-01
    config,
    flavor,
    'CORP',
    now,
  );
  t.false(later.disabled);
  t.is(later.profile?.accountExpires, '2031-01-01T00:00:00.000Z');
  const expired = toUser(
    adEntry({ accountExpires: '135379296000000000' }), // 2030-01-01
    config,
    flavor,
    'CORP',
    now,
  );
  t.true(expired.disabled);
});

test('attribute names are matched whatever their case; an attribute asked for and not sent is empty', (t) => {
  const config = source('openldap');
  const flavor = flavorSettings(config);
  const entry: Entry = {
    dn: 'uid=Ada,ou=People,dc=example,dc=org',
    ENTRYUUID: '5d1f3d2e-1111-4222-8333-444455556666',
    UID: 'ada',
    Mail: 'ada@example.org',
    givenname: 'Ada',
    SN: 'Lovelace',
    displayName: [],
    title: ['Engineer', 'Manager'],
    memberof: ['CN=Staff,OU=Groups,DC=example,DC=org', 'cn=R&D,ou=groups,dc=example,dc=org'],
  };
  const read = toUser(entry, config, flavor, null);
  t.like(read, {
    externalId: '5d1f3d2e-1111-4222-8333-444455556666',
    ref: 'uid=ada,ou=people,dc=example,dc=org',
    login: 'ada',
    email: 'ada@example.org',
    firstName: 'Ada',
    lastName: 'Lovelace',
    displayName: '',
  });
  t.deepEqual(read.profile, { title: 'Engineer' });
  t.deepEqual(read.groups, [
    'cn=staff,ou=groups,dc=example,dc=org',
    'cn=r&d,ou=groups,dc=example,dc=org',
  ]);
});

const ctx: MappingContext = {
  catalog: {
    userTypes: DEFAULT_USER_TYPES.map((u, i) => ({
      id: `ut${i}`,
      name: u.name,
      fileId: u.fileId,
      aliases: u.aliases,
      privileges: u.privileges,
    })),
    roles: DEFAULT_ROLES.map((r, i) => ({
      id: `r${i}`,
      name: r.name,
      aliases: r.aliases,
      privileges: r.privileges,
      parameterName: null,
      exclusiveSet: null,
    })),
  },
  rules: [],
  defaults: { userType: 'Creator', role: 'User' },
};
const user = (profile?: Record<string, string>): SourceUser => ({
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
  ...(profile && { profile }),
});

test('the hash covers the profile, in any key order; no profile keeps the hash of a user without one', (t) => {
  const hash = (u: SourceUser) => {
    const m = mapUser(u, ctx);
    if (!m.ok) throw new Error(m.reason);
    return m.member.hash;
  };
  t.is(hash(user()), hash(user({})));
  t.not(hash(user({ title: 'Engineer' })), hash(user()));
  t.is(
    hash(user({ title: 'Engineer', department: 'R&D' })),
    hash(user({ department: 'R&D', title: 'Engineer' })),
  );
  t.not(hash(user({ title: 'Engineer' })), hash(user({ title: 'Manager' })));
  // Stored on every link: a release that hashed the same record differently would rewrite every
  // member on its first resync.
  t.is(hash(user()), 'P5Yjnf8XvyuaFlM6i05-9C4Sr-2');
  t.is(hash(user({ title: 'Engineer', department: 'R&D' })), '-4mcL5nfl_Cr5DpDJr3dJCbo1o2');
  const mapped = mapUser(user({ phone: '+33 1 23' }), ctx);
  t.true(mapped.ok && mapped.member.profile.phone === '+33 1 23');
});
