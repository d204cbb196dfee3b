import { enterpriseAccountName } from '../members/enterprise-login.ts';
import type { ColumnRef, ElementsRef, Resolved, Resolver } from './filter-sql.ts';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './scim-schemas.ts';

// What each filterable (and sortable) attribute path of Users (alias m) and Groups (alias g) is in
// SQL. Paths are case-insensitive and may carry their schema URN.

const text = (sql: string, caseExact = false): ColumnRef => ({
  kind: 'column',
  sql,
  type: 'string',
  caseExact,
});
const profile = (...keys: string[]) =>
  text(
    `(m.profile${keys
      .slice(0, -1)
      .map((k) => `->'${k}'`)
      .join('')}->>'${keys.at(-1)}')`,
  );
const enterprise = (key: string) => profile('enterprise', key);

// Members written through SCIM show what the identity provider sent (see user-document.ts);
// others show their own columns.
const AS_SENT = `(m.profile->>'asSent') = 'true'`;
const asSentOr = (keys: string[], column: string) =>
  text(`(case when ${AS_SENT} then ${profile(...keys).sql} else ${column} end)`);

/** Elements of a JSON array in the member's profile; emails fall back to the member's email. */
function jsonElements(sql: string, subs: string[], booleans: string[] = []): ElementsRef {
  return {
    kind: 'elements',
    exists: `exists (select 1 from jsonb_array_elements(${sql}) e where $COND)`,
    bindings: [],
    defaultSub: 'value',
    sub(name) {
      const key = subs.find((s) => s.toLowerCase() === name.toLowerCase());
      if (!key) return undefined;
      // A boolean only when stored as one: a stray "yes" matches nothing instead of failing.
      return booleans.includes(key)
        ? {
            kind: 'column',
            sql: `(case when jsonb_typeof(e->'${key}') = 'boolean' then (e->>'${key}')::boolean end)`,
            type: 'boolean',
            caseExact: false,
          }
        : text(`(e->>'${key}')`);
    },
  };
}

const MULTI_SUBS = ['value', 'type', 'display', 'primary'];

const USER_COLUMNS: Record<string, Resolved> = {
  id: { kind: 'column', sql: 'm.id', type: 'uuid', caseExact: true },
  username: {
    kind: 'column',
    sql: 'lower(m.username)',
    type: 'string',
    caseExact: false,
    lowered: true,
    derived: {
      transform: enterpriseAccountName,
      // The userName as sent is kept in the profile when the account name had to differ.
      sentSql: `lower(coalesce(m.profile->>'userName', m.username))`,
    },
  },
  displayname: asSentOr(['displayName'], 'm.display_name'),
  'name.givenname': asSentOr(['name', 'givenName'], 'm.first_name'),
  'name.familyname': asSentOr(['name', 'familyName'], 'm.last_name'),
  'name.formatted': profile('name', 'formatted'),
  'name.middlename': profile('name', 'middleName'),
  'name.honorificprefix': profile('name', 'honorificPrefix'),
  'name.honorificsuffix': profile('name', 'honorificSuffix'),
  nickname: profile('nickName'),
  profileurl: profile('profileUrl'),
  title: profile('title'),
  usertype: profile('userType'),
  preferredlanguage: profile('preferredLanguage'),
  locale: profile('locale'),
  timezone: profile('timezone'),
  active: { kind: 'column', sql: `(m.status = 'active')`, type: 'boolean', caseExact: false },
  'meta.created': { kind: 'column', sql: 'm.created_at', type: 'dateTime', caseExact: false },
  'meta.lastmodified': { kind: 'column', sql: 'm.updated_at', type: 'dateTime', caseExact: false },
  externalid: {
    kind: 'elements',
    single: true,
    bindings: [],
    defaultSub: 'value',
    exists: `exists (select 1 from identity_links l where l.member_id = m.id and l.source = 'scim' and $COND)`,
    sub: (name) => (name.toLowerCase() === 'value' ? text('l.external_id', true) : undefined),
  },
  emails: jsonElements(
    `(case when ${AS_SENT} then coalesce(m.profile->'emails', '[]'::jsonb) when m.email is null then coalesce(m.profile->'emails', '[]'::jsonb) else coalesce(m.profile->'emails', jsonb_build_array(jsonb_build_object('value', m.email, 'type', 'work', 'primary', true))) end)`,
    MULTI_SUBS,
    ['primary'],
  ),
  phonenumbers: jsonElements(`coalesce(m.profile->'phoneNumbers', '[]'::jsonb)`, MULTI_SUBS, [
    'primary',
  ]),
  addresses: jsonElements(
    `coalesce(m.profile->'addresses', '[]'::jsonb)`,
    [
      'formatted',
      'streetAddress',
      'locality',
      'region',
      'postalCode',
      'country',
      'type',
      'primary',
    ],
    ['primary'],
  ),
  groups: {
    kind: 'elements',
    bindings: [],
    defaultSub: 'value',
    exists:
      'exists (select 1 from memberships ms join groups g on g.id = ms.group_id where ms.member_id = m.id and $COND)',
    sub: (name) =>
      ({
        value: { kind: 'column', sql: 'g.id', type: 'uuid', caseExact: false } as ColumnRef,
        display: text('g.name'),
      })[name.toLowerCase()],
  },
  [`${ENTERPRISE_SCHEMA.toLowerCase()}:employeenumber`]: enterprise('employeeNumber'),
  [`${ENTERPRISE_SCHEMA.toLowerCase()}:costcenter`]: enterprise('costCenter'),
  [`${ENTERPRISE_SCHEMA.toLowerCase()}:organization`]: enterprise('organization'),
  [`${ENTERPRISE_SCHEMA.toLowerCase()}:division`]: enterprise('division'),
  [`${ENTERPRISE_SCHEMA.toLowerCase()}:department`]: enterprise('department'),
  [`${ENTERPRISE_SCHEMA.toLowerCase()}:manager`]: profile('enterprise', 'manager', 'value'),
  [`${ENTERPRISE_SCHEMA.toLowerCase()}:manager.value`]: profile('enterprise', 'manager', 'value'),
};

const GROUP_COLUMNS: Record<string, Resolved> = {
  id: { kind: 'column', sql: 'g.id', type: 'uuid', caseExact: true },
  displayname: text('g.name'),
  externalid: text('g.external_id', true),
  'meta.created': { kind: 'column', sql: 'g.created_at', type: 'dateTime', caseExact: false },
  'meta.lastmodified': { kind: 'column', sql: 'g.updated_at', type: 'dateTime', caseExact: false },
  members: {
    kind: 'elements',
    bindings: [],
    defaultSub: 'value',
    exists: 'exists (select 1 from memberships ms where ms.group_id = g.id and $COND)',
    sub: (name) =>
      name.toLowerCase() === 'value'
        ? { kind: 'column', sql: 'ms.member_id', type: 'uuid', caseExact: false }
        : undefined,
  },
};

function resolverOf(columns: Record<string, Resolved>, coreUrn: string): Resolver {
  const prefix = `${coreUrn.toLowerCase()}:`;
  return (path) => {
    let key = path.toLowerCase();
    if (key.startsWith(prefix)) key = key.slice(prefix.length);
    return columns[key];
  };
}

export const userColumns = resolverOf(USER_COLUMNS, USER_SCHEMA);
export const groupColumns = resolverOf(GROUP_COLUMNS, GROUP_SCHEMA);

/** sortBy for Users and Groups: only single-valued columns sort. */
export function sortColumn(resolver: Resolver, path: string): string | undefined {
  const resolved = resolver(path);
  if (resolved?.kind !== 'column') return undefined;
  return resolved.type === 'string' && !resolved.caseExact && !resolved.lowered
    ? `lower(${resolved.sql})`
    : resolved.sql;
}
