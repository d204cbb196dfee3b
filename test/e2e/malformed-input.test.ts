import test from 'ava';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { type DaemonProcess, api, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// Hostile input against the real daemon, on each database: NUL and other control characters,
// unpaired surrogates, invalid UTF-8 in bodies and paths, unsupported charsets and encodings,
// runaway nesting, huge strings and numbers, in SCIM bodies and PATCH paths, admin API bodies,
// CSV rows and sign-in forms. Property: never a 500, and a refused request writes nothing.

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);

interface Target {
  daemon: DaemonProcess;
  key: string;
  userId: string;
  memberId: string;
  stop(): Promise<void>;
}

async function startTarget(kind: string): Promise<Target> {
  const dir = tempDir('provisiond-fuzz-');
  const pg = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const env = pg ? { DATABASE_URL: pg.url } : { PROVISIOND_DATA_DIR: path.join(dir, 'data') };
  const daemon = await startDaemonProcess(env);
  const key = JSON.parse(
    (
      await runCli(
        [
          'keys',
          'create',
          '--title',
          'fuzz',
          '--role',
          'editor',
          '--expires-in-days',
          '30',
          '--scope',
          'both',
          '--json',
        ],
        env,
      )
    ).stdout,
  ).secret as string;
  const user = await api(daemon.url, 'POST', '/scim/v2/Users', key, {
    schemas: [USER_SCHEMA],
    userName: 'fuzz.target@example.org',
    name: { givenName: 'Fuzz', familyName: 'Target' },
  });
  if (user.status !== 201) throw new Error(JSON.stringify(user.body));
  const member = await api(daemon.url, 'POST', '/api/v1/members', key, {
    username: 'fuzz.member',
    email: 'fuzz.member@example.org',
    firstName: 'Fuzz',
    lastName: 'Member',
    password: 'Lantern-7731-q',
    mustChangePassword: false,
  });
  if (member.status !== 201) throw new Error(JSON.stringify(member.body));
  return {
    daemon,
    key,
    userId: user.body.id,
    memberId: member.body.id,
    async stop() {
      await daemon.stop();
      await pg?.drop();
    },
  };
}

/** Everything a write would change: totals of members, groups, imports and audit entries, versions. */
async function snapshot(t: Target): Promise<string> {
  const get = async (p: string) => (await api(t.daemon.url, 'GET', p, t.key)).body;
  const [members, groups, audit, user, member] = await Promise.all([
    get('/api/v1/members?pageSize=1'),
    get('/api/v1/groups?pageSize=1'),
    get('/api/v1/audit?pageSize=1'),
    get(`/scim/v2/Users/${t.userId}`),
    get(`/api/v1/members/${t.memberId}`),
  ]);
  return JSON.stringify([
    members.total,
    groups.total,
    audit.total,
    audit.items?.[0]?.id,
    user.meta?.version,
    member.version,
  ]);
}

// Strings no field accepts, and values no field expects.
const CONTROL = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u001b',
  '\u007f',
  '\u0085',
);
const hostileString = fc.oneof(
  fc
    .tuple(fc.string({ maxLength: 8 }), CONTROL, fc.string({ maxLength: 8 }))
    .map(([a, c, b]) => `${a}${c}${b}`),
  fc.constantFrom('\ud800', 'a\udfffb', '\udc00\ud800'),
  fc.integer({ min: 300, max: 12_000 }).map((n) => 'x'.repeat(n)),
  fc.constant('y'.repeat(200_000)),
);
// Nesting is planted as a marker and spelled out in the body text: JSON.stringify itself would
// overflow the stack at these depths.
const deep = fc.integer({ min: 40, max: 5_000 }).map((n) => `@@deep:${n}@@`);
const spellDeep = (text: string) =>
  text.replace(/"@@deep:(\d+)@@"/g, (_m, n: string) => {
    const depth = Number(n);
    return `${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`;
  });
const hostileValue = fc.oneof(
  hostileString,
  deep,
  fc.constantFrom(1e308, -1e308, 2 ** 64, -(2 ** 63), 1e20, 0.1),
  fc.array(hostileString, { minLength: 1, maxLength: 3 }),
  fc.dictionary(hostileString, fc.string(), { minKeys: 1, maxKeys: 2 }),
);

/** A JSON body with one hostile value planted in it, at a known field or a new one. */
const planted = (fields: string[]) =>
  fc.record({ field: fc.constantFrom(...fields, 'extra'), value: hostileValue });

interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Sign-in answers count the failure (a write of the sign-in store, not of members). */
  countsAttempts?: boolean;
}

function json(method: string, p: string, body: unknown, type = 'application/json'): Request {
  return {
    method,
    path: p,
    headers: { 'content-type': type },
    body: spellDeep(JSON.stringify(body)),
  };
}

const scimUser = planted([
  'userName',
  'displayName',
  'externalId',
  'title',
  'nickName',
  'locale',
  'emails',
  'name',
  'active',
]).map(({ field, value }) =>
  json(
    'POST',
    '/scim/v2/Users',
    {
      schemas: [USER_SCHEMA],
      userName: 'fuzz.new@example.org',
      name: { givenName: 'New', familyName: 'Fuzz' },
      [field]: value,
    },
    'application/scim+json',
  ),
);

const scimPatch = (t: Target) =>
  fc
    .record({
      op: fc.constantFrom('add', 'replace', 'remove', 'Replace'),
      path: fc.oneof(
        hostileString,
        fc.constantFrom(
          'emails[type eq "work\u0000"].value',
          'name.givenName\u0000',
          'members[value eq "%FF"]',
          `${'a.'.repeat(5000)}b`,
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
        ),
      ),
      value: hostileValue,
    })
    .map((op) =>
      json(
        'PATCH',
        `/scim/v2/Users/${t.userId}`,
        { schemas: [PATCH_SCHEMA], Operations: [op] },
        'application/scim+json',
      ),
    );

const apiMember = planted([
  'username',
  'email',
  'firstName',
  'lastName',
  'displayName',
  'description',
  'role',
  'credits',
  'groups',
  'settings',
  'password',
]).map(({ field, value }) =>
  json('POST', '/api/v1/members', {
    username: 'fuzz.created',
    email: 'fuzz.created@example.org',
    firstName: 'Fuzz',
    lastName: 'Created',
    [field]: value,
  }),
);

const apiPatch = (t: Target) =>
  planted(['firstName', 'displayName', 'description', 'credits', 'settings', 'categories']).map(
    ({ field, value }) => json('PATCH', `/api/v1/members/${t.memberId}`, { [field]: value }),
  );

const apiGroup = planted(['name', 'description']).map(({ field, value }) =>
  json('POST', '/api/v1/groups', { name: 'fuzz group', [field]: value }),
);

// A CSV cell can hold anything but the quote rules; no cell may carry a control character in.
const csvCell = fc.oneof(
  fc
    .tuple(fc.string({ maxLength: 6 }), CONTROL, fc.string({ maxLength: 6 }))
    .map(([a, c, b]) => `${a}${c}${b}`.replace(/[",\r\n]/g, '')),
  fc.integer({ min: 1100, max: 5000 }).map((n) => 'z'.repeat(n)),
);
const csvRow = fc
  .record({ column: fc.integer({ min: 0, max: 6 }), cell: csvCell })
  .map(({ column, cell }) => {
    const row = [
      'csv.fuzz@example.org',
      'Csv',
      'Fuzz',
      'csv.fuzz',
      'Orchard-4471-p',
      'Creator',
      'User',
    ];
    row[column] = `"${cell}"`;
    return {
      method: 'POST',
      path: '/api/v1/imports?mode=add',
      headers: { 'content-type': 'text/csv' },
      body: `Email,First Name,Last Name,Username,Password,User Type,Role\n${row.join(',')}\n`,
    } as Request;
  });

const signIn = fc
  .record({
    username: fc.oneof(hostileString, fc.constant('fuzz.member')),
    password: fc.oneof(hostileString, fc.constant('wrong')),
    form: fc.boolean(),
  })
  .map(({ username, password, form }): Request => {
    if (!form)
      return {
        ...json('POST', '/auth/builtin/login', { username, password }),
        countsAttempts: true,
      };
    return {
      method: 'POST',
      path: '/auth/builtin/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
      countsAttempts: true,
    };
  });

const acceptForm = fc.record({ token: hostileString, password: hostileString }).map(
  ({ token, password }): Request => ({
    method: 'POST',
    path: '/invitations/accept',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, password, username: 'x' }).toString(),
  }),
);

// Framing no route reads: bytes that are not UTF-8, paths that do not decode, charsets and
// encodings the daemon does not speak.
const framing = (t: Target) =>
  fc.constantFrom<Request>(
    {
      method: 'POST',
      path: '/scim/v2/Users',
      headers: { 'content-type': 'application/scim+json' },
      body: Buffer.concat([
        Buffer.from(`{"schemas":["${USER_SCHEMA}"],"userName":"bytes`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('@example.org"}'),
      ]),
    },
    {
      method: 'POST',
      path: '/api/v1/groups',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat([
        Buffer.from('{"name":"g'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]),
    },
    { method: 'GET', path: '/scim/v2/Users/%FF%FE', headers: {} },
    { method: 'DELETE', path: '/scim/v2/Users/%FF%FE', headers: {} },
    { method: 'PATCH', path: '/api/v1/members/%C0%AF', headers: {} },
    { method: 'GET', path: '/api/v1/members?search=%FF', headers: {} },
    { method: 'GET', path: `/api/v1/members/${t.memberId}%00`, headers: {} },
    {
      method: 'POST',
      path: '/scim/v2/Users',
      headers: { 'content-type': 'application/scim+json; charset=latin1' },
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'latin@example.org' }),
    },
    {
      method: 'POST',
      path: '/api/v1/groups',
      headers: { 'content-type': 'application/json; charset=utf-16' },
      body: JSON.stringify({ name: 'utf16' }),
    },
    {
      method: 'POST',
      path: '/scim/v2/Users',
      headers: { 'content-type': 'application/scim+json', 'content-encoding': 'compress' },
      body: 'xx',
    },
    {
      method: 'POST',
      path: '/scim/v2/Users',
      headers: { 'content-type': 'application/scim+json', 'content-encoding': 'gzip' },
      body: 'not gzip at all',
    },
    {
      method: 'POST',
      path: '/api/v1/groups',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync('{"name": "half').subarray(0, 12),
    },
    {
      method: 'POST',
      path: '/api/v1/imports?mode=add',
      headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' },
      body: 'garbage',
    },
    {
      method: 'POST',
      path: '/auth/builtin/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=%FF%FE&password=x',
    },
    {
      method: 'POST',
      path: '/scim/v2/Bulk',
      headers: { 'content-type': 'application/scim+json' },
      body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":${'['.repeat(3000)}${']'.repeat(3000)}}`,
    },
  );

async function send(t: Target, request: Request) {
  const response = await fetch(`${t.daemon.url}${request.path}`, {
    method: request.method,
    headers: { authorization: `Bearer ${t.key}`, ...request.headers },
    body: request.body as BodyInit | undefined,
  });
  return { status: response.status, text: await response.text() };
}

/** The state after the last request: a refusal leaves it as it was, so it is read once per request. */
let lastSnapshot = '';

async function neverA500(t: Target, request: Request): Promise<boolean> {
  const { status, text } = await send(t, request);
  if (status >= 500)
    throw new Error(`${request.method} ${request.path} answered ${status}: ${text.slice(0, 300)}`);
  const after = await snapshot(t);
  if (status >= 400 && after !== lastSnapshot)
    throw new Error(`${request.method} ${request.path} was refused (${status}) but wrote`);
  if (status >= 400 && !/"(detail|title)"|<html/i.test(text))
    throw new Error(`${request.method} ${request.path} refused without a reason: ${text}`);
  lastSnapshot = after;
  return true;
}

for (const kind of databaseKinds()) {
  test.serial(
    `${kind}: hostile requests never end in a 500, and a refusal writes nothing`,
    async (t) => {
      t.timeout(10 * 60_000);
      const target = await startTarget(kind);
      lastSnapshot = await snapshot(target);
      try {
        const arbitraries: [string, fc.Arbitrary<Request>][] = [
          ['SCIM bodies', scimUser],
          ['SCIM PATCH paths', scimPatch(target)],
          ['admin API members', apiMember],
          ['admin API member updates', apiPatch(target)],
          ['admin API groups', apiGroup],
          ['CSV rows', csvRow],
          ['sign-in forms', signIn],
          ['invitation form', acceptForm],
          ['framing', framing(target)],
        ];
        for (const [name, arbitrary] of arbitraries) {
          const started = Date.now();
          await fc.assert(
            fc.asyncProperty(arbitrary, (request) => neverA500(target, request)),
            { numRuns: RUNS, endOnFailure: true },
          );
          t.log(`${name}: ${RUNS} requests in ${Date.now() - started} ms`);
        }
        // The refusals name the field: one of each, checked by hand.
        const nul = await api(target.daemon.url, 'POST', '/api/v1/groups', target.key, {
          name: 'bad\u0000name',
        });
        t.is(nul.status, 400);
        t.is(nul.body.issues[0].field, 'name');
        const scimPath = await send(target, {
          method: 'GET',
          path: '/scim/v2/Users/%FF%FE',
          headers: {},
        });
        t.is(scimPath.status, 400);
        t.like(JSON.parse(scimPath.text), {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '400',
        });
        t.regex(target.daemon.output(), /provisiond started/);
        t.notRegex(target.daemon.output(), /"level":50/, 'no request was logged as failed');
      } finally {
        await target.stop();
      }
    },
  );
}
