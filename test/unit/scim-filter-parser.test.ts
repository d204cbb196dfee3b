import test from 'ava';
import { filterSchemaOf } from '../../src/scim/attribute-path.ts';
import { matchesFilter } from '../../src/scim/filter-match.ts';
import { type Filter, parseFilter } from '../../src/scim/filter-parser.ts';
import { filterToSql } from '../../src/scim/filter-sql.ts';
import { userColumns } from '../../src/scim/scim-columns.ts';
import { ScimError } from '../../src/scim/scim-error.ts';

const USER = filterSchemaOf('User');

// The example filters of RFC 7644 §3.4.2.2, each with the tree it must parse to.
const RFC_EXAMPLES: Array<[string, Filter]> = [
  ['userName eq "bjensen"', { op: 'eq', attrPath: 'userName', value: 'bjensen' }],
  ['name.familyName co "O\'Malley"', { op: 'co', attrPath: 'name.familyName', value: "O'Malley" }],
  ['userName sw "J"', { op: 'sw', attrPath: 'userName', value: 'J' }],
  [
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    { op: 'sw', attrPath: 'urn:ietf:params:scim:schemas:core:2.0:User:userName', value: 'J' },
  ],
  ['title pr', { op: 'pr', attrPath: 'title' }],
  [
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    { op: 'gt', attrPath: 'meta.lastModified', value: '2011-05-13T04:42:34Z' },
  ],
  [
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    { op: 'ge', attrPath: 'meta.lastModified', value: '2011-05-13T04:42:34Z' },
  ],
  [
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    { op: 'lt', attrPath: 'meta.lastModified', value: '2011-05-13T04:42:34Z' },
  ],
  [
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    { op: 'le', attrPath: 'meta.lastModified', value: '2011-05-13T04:42:34Z' },
  ],
  [
    'title pr and userType eq "Employee"',
    {
      op: 'and',
      filters: [
        { op: 'pr', attrPath: 'title' },
        { op: 'eq', attrPath: 'userType', value: 'Employee' },
      ],
    },
  ],
  [
    'title pr or userType eq "Intern"',
    {
      op: 'or',
      filters: [
        { op: 'pr', attrPath: 'title' },
        { op: 'eq', attrPath: 'userType', value: 'Intern' },
      ],
    },
  ],
  [
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    {
      op: 'eq',
      attrPath: 'schemas',
      value: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    },
  ],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    {
      op: 'and',
      filters: [
        { op: 'eq', attrPath: 'userType', value: 'Employee' },
        {
          op: 'or',
          filters: [
            { op: 'co', attrPath: 'emails', value: 'example.com' },
            { op: 'co', attrPath: 'emails.value', value: 'example.org' },
          ],
        },
      ],
    },
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    {
      op: 'and',
      filters: [
        { op: 'ne', attrPath: 'userType', value: 'Employee' },
        {
          op: 'not',
          filter: {
            op: 'or',
            filters: [
              { op: 'co', attrPath: 'emails', value: 'example.com' },
              { op: 'co', attrPath: 'emails.value', value: 'example.org' },
            ],
          },
        },
      ],
    },
  ],
  [
    'userType eq "Employee" and (emails.type eq "work")',
    {
      op: 'and',
      filters: [
        { op: 'eq', attrPath: 'userType', value: 'Employee' },
        { op: 'eq', attrPath: 'emails.type', value: 'work' },
      ],
    },
  ],
  [
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    {
      op: 'and',
      filters: [
        { op: 'eq', attrPath: 'userType', value: 'Employee' },
        {
          op: '[]',
          attrPath: 'emails',
          filter: {
            op: 'and',
            filters: [
              { op: 'eq', attrPath: 'type', value: 'work' },
              { op: 'co', attrPath: 'value', value: '@example.com' },
            ],
          },
        },
      ],
    },
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    {
      op: 'or',
      filters: [
        {
          op: '[]',
          attrPath: 'emails',
          filter: {
            op: 'and',
            filters: [
              { op: 'eq', attrPath: 'type', value: 'work' },
              { op: 'co', attrPath: 'value', value: '@example.com' },
            ],
          },
        },
        {
          op: '[]',
          attrPath: 'ims',
          filter: {
            op: 'and',
            filters: [
              { op: 'eq', attrPath: 'type', value: 'xmpp' },
              { op: 'co', attrPath: 'value', value: '@foo.com' },
            ],
          },
        },
      ],
    },
  ],
];

for (const [text, tree] of RFC_EXAMPLES) {
  test(`RFC 7644 example: ${text}`, (t) => {
    t.deepEqual(parseFilter(text), tree);
  });
}

test('"and" binds tighter than "or", "not" tighter than both; parentheses group', (t) => {
  const a = { op: 'pr', attrPath: 'a' } as const;
  const b = { op: 'pr', attrPath: 'b' } as const;
  const c = { op: 'pr', attrPath: 'c' } as const;
  t.deepEqual(parseFilter('a pr or b pr and c pr'), {
    op: 'or',
    filters: [a, { op: 'and', filters: [b, c] }],
  });
  t.deepEqual(parseFilter('(a pr or b pr) and c pr'), {
    op: 'and',
    filters: [{ op: 'or', filters: [a, b] }, c],
  });
  t.deepEqual(parseFilter('not (a pr) and b pr'), {
    op: 'and',
    filters: [{ op: 'not', filter: a }, b],
  });
  t.deepEqual(parseFilter('a pr and b pr and c pr'), { op: 'and', filters: [a, b, c] });
});

test('keywords and operators are case-insensitive; attribute names keep their spelling', (t) => {
  t.deepEqual(parseFilter('userName EQ "x" AND Not (title PR) Or active Eq TRUE'), {
    op: 'or',
    filters: [
      {
        op: 'and',
        filters: [
          { op: 'eq', attrPath: 'userName', value: 'x' },
          { op: 'not', filter: { op: 'pr', attrPath: 'title' } },
        ],
      },
      { op: 'eq', attrPath: 'active', value: true },
    ],
  });
});

test('strings take JSON escapes; numbers, null and booleans are values', (t) => {
  t.deepEqual(parseFilter(String.raw`displayName eq "a\"b\\c\u00e9\n"`), {
    op: 'eq',
    attrPath: 'displayName',
    value: 'a"b\\cé\n',
  });
  t.deepEqual(parseFilter('x eq 12.5e1'), { op: 'eq', attrPath: 'x', value: 125 });
  t.deepEqual(parseFilter('x ne null'), { op: 'ne', attrPath: 'x', value: null });
  t.deepEqual(parseFilter('x eq false'), { op: 'eq', attrPath: 'x', value: false });
});

test('a value path with a sub-attribute is one condition on one entry', (t) => {
  t.deepEqual(parseFilter('emails[type eq "work"].value eq "x@example.org"'), {
    op: '[]',
    attrPath: 'emails',
    filter: {
      op: 'and',
      filters: [
        { op: 'eq', attrPath: 'type', value: 'work' },
        { op: 'eq', attrPath: 'value', value: 'x@example.org' },
      ],
    },
  });
  t.deepEqual(parseFilter('emails[type eq "work"].value pr'), {
    op: '[]',
    attrPath: 'emails',
    filter: {
      op: 'and',
      filters: [
        { op: 'eq', attrPath: 'type', value: 'work' },
        { op: 'pr', attrPath: 'value' },
      ],
    },
  });
});

test('the work-address filter does not match a user whose home address is the value', (t) => {
  const filter = parseFilter('emails[type eq "work"].value eq "x@example.org"');
  const homeIsX = {
    emails: [
      { type: 'work', value: 'w@example.org' },
      { type: 'home', value: 'x@example.org' },
    ],
  };
  const workIsX = {
    emails: [
      { type: 'home', value: 'h@example.org' },
      { type: 'Work', value: 'X@example.org' },
    ],
  };
  t.false(matchesFilter(filter, homeIsX, USER));
  t.true(matchesFilter(filter, workIsX, USER));
  const sql = filterToSql(filter, userColumns);
  t.is((sql.sql.match(/exists/g) ?? []).length, 1, 'both conditions inside one exists');
  t.deepEqual(sql.bindings, ['work', 'x@example.org']);
});

test('case rules follow the schema: caseExact attributes compare exactly', (t) => {
  const doc = { id: 'abc', externalId: 'AbC', userName: 'Bjensen' };
  t.true(matchesFilter(parseFilter('userName eq "bjensen"'), doc, USER));
  t.false(matchesFilter(parseFilter('externalId eq "abc"'), doc, USER));
  t.true(matchesFilter(parseFilter('externalId eq "AbC"'), doc, USER));
  t.is(filterToSql(parseFilter('externalId eq "AbC"'), userColumns).bindings[0], 'AbC');
  t.is(filterToSql(parseFilter('userName eq "BJensen"'), userColumns).bindings[0], 'bjensen');
});

test('string order is code-point order in SQL (collate "C") as in memory', (t) => {
  const sql = filterToSql(parseFilter('title gt "b"'), userColumns);
  t.is(sql.sql, `(lower((m.profile->>'title')) collate "C" > ?)`);
  t.true(matchesFilter(parseFilter('displayName gt "B"'), { displayName: 'c' }, USER));
  t.false(matchesFilter(parseFilter('displayName gt "c"'), { displayName: 'C' }, USER));
});

function refused(t: import('ava').ExecutionContext, text: string, pattern?: RegExp): void {
  const error = t.throws(
    () => {
      const filter = parseFilter(text);
      filterToSql(filter, userColumns);
    },
    { instanceOf: ScimError },
    text.slice(0, 80),
  ) as ScimError;
  t.is(error.scimType, 'invalidFilter', text.slice(0, 80));
  t.is(error.status, 400);
  if (pattern) t.regex(error.message, pattern);
}

test('malformed filters are invalidFilter with where and what', (t) => {
  refused(t, '', /empty/);
  refused(t, 'userName', /operator/);
  refused(t, 'userName eq', /value is missing/);
  refused(t, 'userName xx "a"', /unknown operator "xx"/);
  refused(t, 'userName eq "a', /unterminated/);
  refused(t, String.raw`userName eq "\q"`, /escapes/);
  refused(t, 'userName eq "a" and', /ends where a condition/);
  refused(t, '(userName eq "a"', /expected "\)"/);
  refused(t, 'userName eq "a")', /unexpected "\)"/);
  refused(t, 'not userName eq "a"', /operator/);
  refused(t, 'emails[type eq "work"', /expected "]"/);
  refused(t, 'emails[value[type eq "x"] pr]', /another value filter/);
  refused(t, 'emails[type eq "work"] .value eq "x"');
  refused(t, 'name.givenName.x eq "a"', /not an attribute path/);
  refused(t, 'userName eq bjensen', /expected a value/);
  refused(t, String.raw`userName eq "a\u0000b"`, /NUL/);
});

test('dates that do not exist are invalidFilter, not database errors', (t) => {
  for (const date of [
    '2020-02-30',
    '1',
    '275760-01-01T00:00:00Z',
    '2021-13-01',
    '2021-01-01T24:00:00Z',
    'soon',
    '',
  ]) {
    refused(t, `meta.created gt "${date}"`, /not a date-time/);
  }
  t.deepEqual(filterToSql(parseFilter('meta.created ge "2020-02-29"'), userColumns).bindings, [
    '2020-02-29T00:00:00.000Z',
  ]);
  t.deepEqual(
    filterToSql(parseFilter('meta.lastModified lt "2011-05-13T04:42:34+02:00"'), userColumns)
      .bindings,
    ['2011-05-13T02:42:34.000Z'],
  );
});

test('filters of 5,000 terms and deep nesting are refused without recursion trouble', (t) => {
  refused(t, Array.from({ length: 5000 }, (_, i) => `title eq "${i}"`).join(' or '), /longer than/);
  refused(t, `${'('.repeat(2000)}title pr${')'.repeat(2000)}`, /nest deeper/);
  refused(t, `${'not ('.repeat(600)}title pr${')'.repeat(600)}`, /nest deeper|longer than/);
  t.notThrows(() => parseFilter(`${'('.repeat(30)}title pr${')'.repeat(30)}`));
  const many = Array.from({ length: 300 }, () => 'title pr').join(' or ');
  t.is((parseFilter(many) as { filters: Filter[] }).filters.length, 300);
});
