import test from 'ava';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  api,
  type DaemonProcess,
  runCli,
  runCliUnread,
  startDaemonProcess,
  tempDir,
} from '../helpers/daemon.ts';

// The daemon on its embedded database, as a user runs it: HTTP, the CLI beside it, restarts.

const dataDir = tempDir('provisiond-e2e-');
const env = { PROVISIOND_DATA_DIR: dataDir };
let daemon: DaemonProcess;
let editor: string;
let viewer: string;

test.before(async () => {
  daemon = await startDaemonProcess(env);
  const created = await runCli(
    [
      'keys',
      'create',
      '--title',
      'e2e editor',
      '--role',
      'editor',
      '--expires-in-days',
      '365',
      '--json',
    ],
    env,
  );
  if (created.code !== 0) throw new Error(`keys create failed: ${created.stderr}`);
  editor = JSON.parse(created.stdout).secret;
  viewer = JSON.parse(
    (
      await runCli(
        [
          'keys',
          'create',
          '--title',
          'e2e viewer',
          '--role',
          'viewer',
          '--expires-in-days',
          '365',
          '--json',
        ],
        env,
      )
    ).stdout,
  ).secret;
});

test.after.always(async () => {
  await daemon?.stop();
});

const member = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  email: `${username}@example.org`,
  firstName: 'Kim',
  lastName: 'Ng',
  userType: 'Creator',
  role: 'User',
  password: 'Lantern-4419-q',
  ...extra,
});

test.serial('health, readiness, metrics and the OpenAPI document', async (t) => {
  t.deepEqual((await api(daemon.url, 'GET', '/healthz')).body, { status: 'ok' });
  t.like((await api(daemon.url, 'GET', '/readyz')).body, { status: 'ready', database: 'pglite' });
  const metrics = await api(daemon.url, 'GET', '/metrics');
  t.regex(metrics.body as string, /provisiond_http_request_duration_seconds_bucket/);
  const openapi = await api(daemon.url, 'GET', '/api/v1/openapi.json');
  t.is(openapi.body.openapi, '3.1.0');
  t.truthy(
    openapi.body.paths['/members'].post.requestBody.content['application/json'].schema.properties
      .username,
  );
});

test.serial('the CLI prints one JSON key object, and the secret is never stored', async (t) => {
  const result = await runCli(
    ['keys', 'create', '--title', 'scim', '--role', 'viewer', '--expires-in-days', '365', '--json'],
    env,
  );
  t.is(result.code, 0);
  const key = JSON.parse(result.stdout);
  t.like(key, { role: 'viewer', title: 'scim' });
  t.truthy(key.id && key.secret && key.expiresAt);
  const listed = await api(daemon.url, 'GET', '/api/v1/keys', editor);
  t.false(JSON.stringify(listed.body).includes(key.secret));
  t.false(daemon.output().includes(key.secret), 'the secret is not logged');
});

test.serial('members: create over the API and find them by search', async (t) => {
  const created = await api(
    daemon.url,
    'POST',
    '/api/v1/members',
    editor,
    member('search.target', { firstName: 'Zebulon' }),
  );
  t.is(created.status, 201);
  t.is(created.headers.get('location'), `/api/v1/members/${created.body.id}`);
  t.false('password' in created.body || JSON.stringify(created.body).includes('Lantern'));
  const found = await api(daemon.url, 'GET', '/api/v1/members?search=zebul', editor);
  t.is(found.status, 200);
  t.is(found.body.total, 1);
  t.is(found.body.items[0].username, 'search.target');
  t.deepEqual(Object.keys(found.body).sort(), ['items', 'page', 'pageSize', 'total']);
});

test.serial('bad input is a problem+json naming the field, and changes nothing', async (t) => {
  const before = (await api(daemon.url, 'GET', '/api/v1/members?pageSize=1', editor)).body.total;
  const cases: Array<[Record<string, unknown>, number, RegExp]> = [
    [member('has space'), 400, /username/],
    [member('five5'), 400, /6 to 128/],
    [member('weakpass.user', { password: 'aaaabbbb' }), 400, /predictable/],
    [member('weakpass.user', { password: '1234abcd' }), 400, /predictable/],
    [member('same.as.pass1', { password: 'same.as.pass1' }), 400, /same as the username/],
    [member('apostrophe.user', { email: "d'arc@example.org" }), 400, /apostrophe/],
    [
      member('incompatible.1', { userType: 'Viewer', role: 'Publisher' }),
      400,
      /compatible roles: Viewer/,
    ],
    [member('SEARCH.TARGET'), 409, /already taken/],
    [{ ...member('unknown.field'), nickname: 'x' }, 400, /unknown field/],
  ];
  for (const [body, status, detail] of cases) {
    const response = await api(daemon.url, 'POST', '/api/v1/members', editor, body);
    t.is(response.status, status, JSON.stringify(body));
    t.is(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    t.regex(`${response.body.detail}`, detail);
    t.is(response.body.status, status);
  }
  const malformed = await fetch(`${daemon.url}/api/v1/members`, {
    method: 'POST',
    headers: { authorization: `Bearer ${editor}`, 'content-type': 'application/json' },
    body: '{"username":',
  });
  t.is(malformed.status, 400);
  t.is((await api(daemon.url, 'GET', '/api/v1/members?pageSize=1', editor)).body.total, before);
  t.is((await api(daemon.url, 'GET', '/api/v1/members?pageSize=100000', editor)).status, 400);
  t.is((await api(daemon.url, 'GET', '/api/v1/members?sort=password', editor)).status, 400);
});

test.serial(
  'viewer keys read but cannot write (403); unknown and deleted keys are refused (401)',
  async (t) => {
    t.is((await api(daemon.url, 'GET', '/api/v1/members', viewer)).status, 200);
    const write = await api(daemon.url, 'POST', '/api/v1/members', viewer, member('viewer.write'));
    t.is(write.status, 403);
    t.regex(write.body.detail, /Viewer/);
    t.is((await api(daemon.url, 'GET', '/api/v1/members')).status, 401);
    t.is((await api(daemon.url, 'GET', '/api/v1/members', 'not-a-key')).status, 401);
    t.is((await api(daemon.url, 'GET', '/api/v1/members', `${editor.slice(0, -2)}xx`)).status, 401);

    const doomed = JSON.parse(
      (
        await runCli(
          [
            'keys',
            'create',
            '--title',
            'doomed',
            '--role',
            'editor',
            '--expires-in-days',
            '365',
            '--json',
          ],
          env,
        )
      ).stdout,
    );
    t.is((await api(daemon.url, 'GET', '/api/v1/members', doomed.secret)).status, 200);
    t.is((await runCli(['keys', 'delete', doomed.id], env)).code, 0);
    t.is((await api(daemon.url, 'GET', '/api/v1/members', doomed.secret)).status, 401);
    t.is(
      (
        await api(daemon.url, 'POST', '/api/v1/keys', editor, {
          title: 'escalate',
          role: 'editor',
          expiresInDays: 365,
        })
      ).status,
      403,
    );
  },
);

test.serial('an expired key is refused (401)', async (t) => {
  // The key must still be valid when first used: on a busy machine starting the CLI alone can
  // take longer than a short validity, so the window doubles until the key was usable in time.
  let expiresAt = 0;
  let key: { secret: string } | undefined;
  for (let window = 6000; !key && window <= 48_000; window *= 2) {
    expiresAt = Date.now() + window;
    const created = await runCli(
      [
        'keys',
        'create',
        '--title',
        'short-lived',
        '--role',
        'editor',
        '--expires-at',
        new Date(expiresAt).toISOString(),
        '--json',
      ],
      env,
    );
    const candidate =
      created.code === 0 ? (JSON.parse(created.stdout) as { secret: string }) : undefined;
    if (
      candidate &&
      (await api(daemon.url, 'GET', '/api/v1/members', candidate.secret)).status === 200
    )
      key = candidate;
  }
  if (!key) return t.fail('no key stayed valid long enough to be used once');
  await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 100));
  const refused = await api(daemon.url, 'GET', '/api/v1/members', key.secret);
  t.is(refused.status, 401);
  t.regex(refused.body.detail, /expired/);
});

test.serial('groups, memberships, the catalog and the audit log over HTTP', async (t) => {
  const group = await api(daemon.url, 'POST', '/api/v1/groups', editor, { name: 'Surveyors' });
  t.is(group.status, 201);
  t.is(
    (await api(daemon.url, 'POST', '/api/v1/groups', editor, { name: 'surveyors' })).status,
    409,
  );
  t.is(
    (await api(daemon.url, 'PUT', `/api/v1/groups/${group.body.id}/members/search.target`, editor))
      .status,
    201,
  );
  t.is(
    (await api(daemon.url, 'PUT', `/api/v1/groups/${group.body.id}/members/search.target`, editor))
      .status,
    200,
  );
  const members = await api(daemon.url, 'GET', '/api/v1/groups/Surveyors/members', editor);
  t.deepEqual(
    members.body.items.map((m: { username: string }) => m.username),
    ['search.target'],
  );
  const types = await api(daemon.url, 'GET', '/api/v1/user-types', viewer);
  t.deepEqual(types.body.items.find((x: { name: string }) => x.name === 'Viewer').compatibleRoles, [
    'Viewer',
  ]);
  const audit = await api(daemon.url, 'GET', '/api/v1/audit?action=group.member.add', viewer);
  t.is(audit.body.total, 1);
  t.regex(audit.body.items[0].actor.label, /API key "e2e editor"/);
});

test.serial(
  'members created by the CLI and the API survive a restart; the CLI works with and without the daemon',
  async (t) => {
    const viaCli = await runCli(
      [
        'members',
        'create',
        '--username',
        'cli.created',
        '--email',
        'cli@example.org',
        '--name',
        'Cli Person',
        '--role',
        'publisher',
        '--password-stdin',
        '--json',
      ],
      env,
      'Harbour-7781-z\n',
    );
    t.is(viaCli.code, 0, viaCli.stderr);
    t.like(JSON.parse(viaCli.stdout), {
      username: 'cli.created',
      firstName: 'Cli',
      lastName: 'Person',
    });

    t.is(await daemon.stop('SIGTERM'), 0, 'a graceful shutdown exits 0');
    t.false(existsSync(path.join(dataDir, 'provisiond.sock')));
    t.false(existsSync(path.join(dataDir, 'provisiond.lock')));

    // No daemon: the CLI opens the data directory itself.
    const offline = await runCli(['members', 'list', '--search', 'cli.created', '--json'], env);
    t.is(offline.code, 0, offline.stderr);
    t.is(JSON.parse(offline.stdout).total, 1);
    const table = await runCli(['members', 'list'], env);
    t.regex(table.stdout, /username.*email/);
    t.regex(table.stdout, /search\.target/);

    daemon = await startDaemonProcess(env);
    const socket = statSync(path.join(dataDir, 'provisiond.sock'));
    t.is(socket.mode & 0o777, 0o600, 'the local socket is for the owner only');
    // A reader that stopped early: the command ends quietly, not with an unhandled EPIPE.
    const unread = await runCliUnread(['members', 'list'], env);
    t.is(unread.stderr, '');
    t.is(unread.code, 0);
    const after = await api(daemon.url, 'GET', '/api/v1/members?search=cli.created', editor);
    t.is(after.body.total, 1);
    t.is(
      (await api(daemon.url, 'GET', '/api/v1/members/search.target', editor)).body.username,
      'search.target',
    );
  },
);

test.serial(
  'a second process never opens the data directory: a second daemon fails clearly',
  async (t) => {
    const second = await runCli(['start'], env);
    t.is(second.code, 1);
    t.regex(second.stderr, /in use by process \d+/);
    // And the running daemon is unharmed.
    t.is((await api(daemon.url, 'GET', '/readyz')).status, 200);
  },
);

test.serial('CLI exit codes: 2 for usage errors, 1 for refused operations', async (t) => {
  const usage = await runCli(['members', 'create', '--email', 'x@example.org'], env);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /required option '--username/);
  t.is((await runCli(['keys', 'create', '--title', 'x', '--role', 'owner'], env)).code, 2);
  t.is((await runCli(['nonsense'], env)).code, 2);
  const refused = await runCli(
    ['members', 'create', '--username', 'bad user', '--email', 'x@example.org', '--name', 'X Y'],
    env,
  );
  t.is(refused.code, 1);
  t.regex(refused.stderr, /username: may contain only/);
  t.is((await runCli(['members', 'show', 'nobody.here'], env)).code, 1);
});

test.serial('a malformed configuration stops the start and names the key', async (t) => {
  const file = path.join(tempDir(), 'bad.yaml');
  writeFileSync(file, 'server:\n  port: "eighty"\ndatabase:\n  dataDir: ./d\n');
  // PORT would override the file's value; leave the file to speak.
  const result = await runCli(['--config', file, 'start'], { PORT: undefined });
  t.is(result.code, 1);
  t.regex(result.stderr, /server\.port/);
});
