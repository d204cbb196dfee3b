import test from 'ava';
import { parseFilter } from '../../src/scim/filter-parser.ts';
import { filterToSql } from '../../src/scim/filter-sql.ts';
import { groupColumns, userColumns } from '../../src/scim/scim-columns.ts';
import { ScimError } from '../../src/scim/scim-error.ts';

const sql = (filter: string) => filterToSql(parseFilter(filter), userColumns);

const SENT_USERNAME = "lower(coalesce(m.profile->>'userName', m.username))";

test('userName eq uses the indexed lower(username) with the account name of the value, then the userName as sent', (t) => {
  t.deepEqual(sql('userName eq "Alice+X@Example.com"'), {
    sql: `(lower(m.username) = ? and ${SENT_USERNAME} = ?)`,
    bindings: ['alice_x@example.com', 'alice+x@example.com'],
  });
});

test('other userName comparisons are made on the userName as sent, not on the account name', (t) => {
  // "%" becomes "_" in an account name, which sorts after "-": a userName of "---a" is not ≤ "%".
  t.deepEqual(sql('userName le "%"'), {
    sql: `(${SENT_USERNAME} collate "C" <= ?)`,
    bindings: ['%'],
  });
  t.deepEqual(sql('userName co "+x"'), {
    sql: `(${SENT_USERNAME} like ?)`,
    bindings: ['%+x%'],
  });
});

test('values are bound, never spliced; LIKE wildcards in values are escaped', (t) => {
  const fragment = sql(`title co "50%_off') or 1=1 --"`);
  t.is(fragment.sql, "(lower((m.profile->>'title')) like ?)");
  t.deepEqual(fragment.bindings, ["%50\\%\\_off') or 1=1 --%"]);
});

test('value paths, sub-attributes and not compile to exists / not', (t) => {
  const fragment = sql('emails[type eq "work" and value ew ".org"] and not (title pr)');
  t.regex(
    fragment.sql,
    /exists \(select 1 from jsonb_array_elements\(.*\) e where \(\(lower\(\(e->>'type'\)\) = \?\) and \(lower\(\(e->>'value'\)\) like \?\)\)\)/,
  );
  t.regex(fragment.sql, /not coalesce/);
  t.deepEqual(fragment.bindings, ['work', '%.org']);
});

test('ids compare exactly; a malformed id matches nothing instead of failing', (t) => {
  t.deepEqual(sql('id eq "00000000-0000-4000-8000-000000000000"').bindings, [
    '00000000-0000-4000-8000-000000000000',
  ]);
  t.deepEqual(sql('id eq "nope"'), { sql: 'false', bindings: [] });
  t.deepEqual(filterToSql(parseFilter('externalId eq "AbC"'), groupColumns), {
    sql: '(g.external_id = ?)',
    bindings: ['AbC'],
  });
});

test('unknown attributes, wrong types and bad syntax are invalidFilter', (t) => {
  for (const bad of [
    'nickname2 eq "x"',
    'active eq "yes"',
    'active co true',
    'meta.created gt "soon"',
    'userName eq',
  ]) {
    const error = t.throws(() => sql(bad), { instanceOf: ScimError }, bad) as ScimError;
    t.is(error.scimType, 'invalidFilter', bad);
  }
});

test('externalId ne null is "has one", eq null "has none", ne "x" "has none equal to x"', (t) => {
  t.regex(sql('externalId ne null').sql, /^\(exists .* is not null\)\)\)$/);
  t.regex(sql('externalId eq null').sql, /^\(not \(exists .* is not null\)\)\)\)$/);
  t.regex(sql('externalId ne "x"').sql, /^\(not \(exists .* = \?\)\)\)\)$/);
});
