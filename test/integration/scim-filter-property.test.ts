import test from 'ava';
import fc from 'fast-check';
import { filterSchemaOf } from '../../src/scim/attribute-path.ts';
import { matchesFilter } from '../../src/scim/filter-match.ts';
import { parseFilter } from '../../src/scim/filter-parser.ts';
import { ScimError } from '../../src/scim/scim-error.ts';
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from '../../src/scim/scim-schemas.ts';
import { listUsers } from '../../src/scim/scim-users.ts';
import { createUser } from '../../src/scim/user-create.ts';
import { eachDatabase } from '../helpers/databases.ts';
import { scimContextIn } from '../helpers/scim.ts';

// Random filters against a real database: each either compiles to SQL that selects exactly the
// users an in-memory evaluation of the same filter selects, or is refused with invalidFilter.
// Nothing else (no database error, no other exception) is allowed.

type Json = Record<string, unknown>;
const USER = filterSchemaOf('User');
const SEED = Number(process.env.FC_SEED ?? 20261129);
const RUNS = Number(process.env.FC_RUNS ?? 250);

const letters = 'aAbBcé%_\\"\' .@-1';
const word = fc
  .array(fc.constantFrom(...letters.split('')), { minLength: 0, maxLength: 5 })
  .map((cs) => cs.join(''));
const login = fc
  .array(fc.constantFrom(...'abAB1.-'.split('')), { minLength: 1, maxLength: 4 })
  .map((cs) => cs.join(''));

const userArb = fc.record({
  local: login,
  displayName: fc.option(word, { nil: undefined }),
  givenName: fc.option(word, { nil: undefined }),
  familyName: fc.option(word, { nil: undefined }),
  title: fc.option(word, { nil: undefined }),
  active: fc.oneof(fc.boolean(), fc.constantFrom('True', 'false')),
  externalId: fc.option(login, { nil: undefined }),
  department: fc.option(word, { nil: undefined }),
  emails: fc.array(
    fc.record({
      value: login.map((l) => `${l.replaceAll('.', '_')}@ex.org`),
      type: fc.option(fc.constantFrom('work', 'home', 'Work'), { nil: undefined }),
      primary: fc.option(fc.boolean(), { nil: undefined }),
    }),
    { maxLength: 3 },
  ),
  phones: fc.array(
    fc.record({
      value: word,
      type: fc.option(fc.constantFrom('work', 'mobile'), { nil: undefined }),
    }),
    { maxLength: 2 },
  ),
});

type GeneratedUser = typeof userArb extends fc.Arbitrary<infer T> ? T : never;

function userDocument(u: GeneratedUser, n: number): Json {
  const strip = (o: Json) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return strip({
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    userName: `${u.local}${n}@ex.org`,
    displayName: u.displayName,
    name: strip({ givenName: u.givenName, familyName: u.familyName }),
    title: u.title,
    active: u.active,
    externalId: u.externalId && `${u.externalId}${n}`,
    emails: u.emails.map(strip),
    phoneNumbers: u.phones.map(strip),
    [ENTERPRISE_SCHEMA]: strip({ department: u.department }),
  });
}

const STRING_PATHS = [
  'userName',
  'USERNAME',
  `${USER_SCHEMA}:userName`,
  'displayName',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'title',
  'nickName',
  'externalId',
  'emails',
  'emails.value',
  'emails.type',
  'phoneNumbers',
  'phoneNumbers.value',
  'phoneNumbers.type',
  `${ENTERPRISE_SCHEMA}:department`,
];
const BAD_PATHS = ['schemas', 'unknownThing', 'name', 'emails.nope', 'urn:x:y:userName'];
const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const anyCase = (s: string) => fc.boolean().map((upper) => (upper ? s.toUpperCase() : s));

function filterArb(values: string[], ids: string[], times: string[]): fc.Arbitrary<string> {
  const text = fc.oneof(fc.constantFrom(...values), word).map((v) => JSON.stringify(v));
  const literal = fc.oneof(
    { weight: 20, arbitrary: text },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '"True"', '42') },
  );
  const attrExp = fc.oneof(
    {
      weight: 20,
      arbitrary: fc
        .tuple(fc.constantFrom(...STRING_PATHS), fc.constantFrom(...OPS).chain(anyCase), literal)
        .map((p) => p.join(' ')),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BAD_PATHS), fc.constantFrom(...OPS), literal)
        .map((p) => p.join(' ')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...STRING_PATHS, 'active', 'meta.created'), anyCase('pr'))
        .map((p) => p.join(' ')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('active', 'emails.primary'),
          fc.constantFrom('eq', 'ne', 'co'),
          fc.constantFrom('true', 'false', '"True"', '"no"', 'null'),
        )
        .map((p) => p.join(' ')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('id'),
          fc.constantFrom('eq', 'ne', 'gt'),
          fc.constantFrom(
            ...ids.map((i) => JSON.stringify(i)),
            `"${ids[0]!.toUpperCase()}"`,
            '"nope"',
          ),
        )
        .map((p) => p.join(' ')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('meta.created', 'meta.lastModified'),
          fc.constantFrom(...OPS),
          fc.constantFrom(
            ...times.map((x) => JSON.stringify(x)),
            '"2020-02-30"',
            '"1"',
            '"2020-01-01"',
          ),
        )
        .map((p) => p.join(' ')),
    },
  );
  const inner = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('value', 'type', 'emails.type', 'display'),
        fc.constantFrom('eq', 'ne', 'co', 'sw', 'gt'),
        text,
      )
      .map((p) => p.join(' ')),
    fc
      .tuple(
        fc.constantFrom('primary'),
        fc.constantFrom('eq', 'ne'),
        fc.constantFrom('true', 'false'),
      )
      .map((p) => p.join(' ')),
    fc.constantFrom('value pr', 'type pr', 'primary pr'),
  );
  const innerExp = fc.oneof(
    inner,
    fc.tuple(inner, fc.constantFrom('and', 'or'), inner).map((p) => p.join(' ')),
    inner.map((i) => `not (${i})`),
  );
  const valuePath = fc
    .tuple(
      fc.constantFrom('emails', 'emails', 'phoneNumbers', 'addresses', 'title'),
      innerExp,
      fc.option(
        fc
          .tuple(
            fc.constantFrom('.value', '.type', '.value', '.primary', '.nope'),
            fc.constantFrom('eq', 'co', 'ne'),
            text,
          )
          .map((p) => `${p[0]} ${p[1]} ${p[2]}`),
        { nil: '' },
      ),
    )
    .map(([attr, cond, tail]) => `${attr}[${cond}]${tail}`);
  const { expr } = fc.letrec<{ expr: string; term: string }>((tie) => ({
    term: fc.oneof(
      { weight: 5, arbitrary: attrExp },
      { weight: 2, arbitrary: valuePath },
      { weight: 1, arbitrary: tie('expr').map((e) => `(${e})`) },
      { weight: 1, arbitrary: tie('expr').map((e) => `not (${e})`) },
    ),
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('term'),
      fc
        .tuple(tie('term'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('expr'))
        .map((p) => p.join(' ')),
    ),
  }));
  return expr as fc.Arbitrary<string>;
}

/** A well-formed filter, sometimes damaged (a character dropped, swapped or inserted). */
function damaged(filter: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: filter },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          filter,
          fc.nat(),
          fc.constantFrom('', '(', ')', '[', ']', '"', '\\', ' ', '.', 'x', '\u0000', '\ud800'),
        )
        .map(([f, at, c]) => {
          const i = at % (f.length + 1);
          return f.slice(0, i) + c + f.slice(i + 1);
        }),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  );
}

eachDatabase((kind, fixture) => {
  test(`[${kind}] random filters select in SQL exactly what they select in memory, or are refused`, async (t) => {
    const f = fixture();
    const ctx = await scimContextIn(f);
    const users = fc.sample(userArb, { seed: SEED, numRuns: 14 });
    for (const [n, u] of users.entries()) await createUser(ctx, userDocument(u, n));
    const everything = {
      filter: null,
      startIndex: 1,
      count: 1000,
      sortBy: null,
      descending: false,
      projection: { attributes: null, excluded: [] },
    };
    const docs = (await listUsers(ctx, everything)).Resources as Json[];
    t.is(docs.length, users.length);
    const values = docs.flatMap((d) =>
      [
        d.userName,
        d.displayName,
        d.title,
        d.externalId,
        ...((d.emails as Json[]) ?? []).map((e) => e.value),
      ]
        .filter((v): v is string => typeof v === 'string')
        .flatMap((v) => [v, v.slice(0, 2), v.slice(-3), v.toUpperCase()]),
    );
    const ids = docs.map((d) => d.id as string);
    const times = docs.map((d) => (d.meta as Json).created as string);
    let compiled = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(damaged(filterArb(values, ids, times)), async (text) => {
        let result: Json;
        try {
          result = await listUsers(ctx, { ...everything, filter: parseFilter(text) });
        } catch (error) {
          if (
            error instanceof ScimError &&
            error.scimType === 'invalidFilter' &&
            error.status === 400
          ) {
            refused++;
            if (process.env.FC_DEBUG) console.log(text, '=>', error.message);
            return;
          }
          throw error;
        }
        compiled++;
        const filter = parseFilter(text);
        const got = (result.Resources as Json[]).map((d) => d.id).sort();
        const expected = docs
          .filter((d) => matchesFilter(filter, d, USER))
          .map((d) => d.id)
          .sort();
        if (JSON.stringify(got) !== JSON.stringify(expected))
          throw new Error(
            `${text}\nSQL: ${JSON.stringify(got)}\nmemory: ${JSON.stringify(expected)}`,
          );
      }),
      { seed: SEED, numRuns: RUNS },
    );
    t.log(`${compiled} filters compiled and agreed, ${refused} refused with invalidFilter`);
    t.true(compiled > RUNS / 4, 'many generated filters are valid');
    t.true(refused > 0, 'some generated filters are refused');
  });
});
