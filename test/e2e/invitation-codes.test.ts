import test from 'ava';
import path from 'node:path';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// Invitation codes against the real daemon and CLI: the `codes create` contract, bad input with
// exit code 1 and the expected format, a signed-in member redeeming over HTTP (once), a scoped
// administrator, the CLI's list/show/copy/disable/redeem, and no code in the daemon's log.

const dir = tempDir('provisiond-codes-');
const env: Record<string, string> = { PROVISIOND_DATA_DIR: path.join(dir, 'data') };
let daemon: DaemonProcess;
let editor: string;

test.before(async () => {
  daemon = await startDaemonProcess(env);
  editor = JSON.parse(
    (
      await runCli(
        [
          'keys',
          'create',
          '--title',
          'codes test',
          '--role',
          'editor',
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

const cli = async (...args: string[]) => runCli(args, env);

async function signedInMember(username: string): Promise<string> {
  const password = 'Harbour-5521-x';
  const created = await api(daemon.url, 'POST', '/api/v1/members', editor, {
    username,
    email: `${username}@example.org`,
    firstName: 'Sam',
    lastName: 'Ple',
    password,
    mustChangePassword: false,
    userType: 'Creator',
    role: 'Viewer',
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const response = await fetch(`${daemon.url}/auth/builtin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const cookie = /pvd_session=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  const csrf = /pvd_csrf=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie || !csrf) throw new Error(`no session for ${username}`);
  const header = `pvd_session=${cookie}; pvd_csrf=${csrf}`;
  csrfTokens.set(header, ((await response.json()) as { csrfToken: string }).csrfToken);
  return header;
}

/** The CSRF token each signed-in member's script sends with its writes. */
const csrfTokens = new Map<string, string>();

async function asMember(cookie: string, method: string, urlPath: string, body?: unknown) {
  const response = await fetch(`${daemon.url}${urlPath}`, {
    method,
    headers: {
      cookie,
      'x-csrf-token': csrfTokens.get(cookie) ?? '',
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as any,
    headers: response.headers,
  };
}

test.serial(
  'codes create prints {codes, validUntil, scope}; bad input exits 1 with a clear message',
  async (t) => {
    await cli('groups', 'create', 'Default Group');
    const result = await cli(
      'codes',
      'create',
      '--count',
      '3',
      '--validity',
      '10',
      '--role',
      'User',
      '--scope',
      'Default Group',
      '--json',
    );
    t.is(result.code, 0, result.stderr);
    const created = JSON.parse(result.stdout);
    t.is(created.codes.length, 3);
    for (const code of created.codes)
      t.regex(code, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    t.is(created.scope, 'Default Group');
    t.true(Math.abs(Date.parse(created.validUntil) - Date.now() - 10 * 86_400_000) < 120_000);

    for (const [args, message] of [
      [['--count', '11', '--role', 'User'], /count: must be a whole number from 1 to 10/],
      [
        ['--validity', '91', '--role', 'User'],
        /validityDays: must be a whole number of days from 1 to 90/,
      ],
      [['--role', 'Nope'], /unknown role\(s\): Nope/],
    ] as const) {
      const bad = await cli('codes', 'create', ...args);
      t.is(bad.code, 1, bad.stdout);
      t.regex(bad.stderr, message);
    }
    t.is(
      (await cli('codes', 'create', '--validity', '0', '--role', 'User')).code,
      2,
      'the CLI itself refuses 0 days',
    );
    const list = JSON.parse((await cli('codes', 'list', '--json')).stdout);
    t.is(list.total, 3, 'nothing was written by the refused requests');
  },
);

test.serial(
  'a signed-in member redeems a code once over HTTP; the CLI lists, shows, copies, disables and redeems',
  async (t) => {
    const created = JSON.parse(
      (await cli('codes', 'create', '--count', '3', '--role', 'Publisher', '--json')).stdout,
    );
    const cookie = await signedInMember('codes.member');
    t.is(
      (
        await fetch(`${daemon.url}/auth/codes/redeem`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: created.codes[0] }),
        })
      ).status,
      401,
      'sign in first',
    );
    const malformed = await asMember(cookie, 'POST', '/auth/codes/redeem', { code: 'ABC' });
    t.is(malformed.status, 400);
    t.regex(malformed.body.detail, /xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/);
    const redeemed = await asMember(cookie, 'POST', '/auth/codes/redeem', {
      code: created.codes[0],
    });
    t.is(redeemed.status, 200, JSON.stringify(redeemed.body));
    t.like(redeemed.body, { member: 'codes.member', rolesGranted: ['Publisher'] });
    const again = await asMember(cookie, 'POST', '/auth/codes/redeem', { code: created.codes[0] });
    t.is(again.status, 409);
    t.regex(again.body.detail, /already used/);
    t.is(again.body.status, 409, 'the problem status is the HTTP status number');
    t.is(again.body.codeStatus, 'used');

    const show = JSON.parse((await cli('codes', 'show', created.ids[0], '--json')).stdout);
    t.like(show, {
      status: 'used',
      usedBy: 'codes.member',
      code: `${created.codes[0].slice(0, 4)}…`,
    });
    const copied = await cli('codes', 'copy', created.codes[1], created.codes[2]);
    t.regex(copied.stdout, /valid until \d{4}-\d\d-\d\d/);
    t.true(copied.stdout.includes(created.codes[2]));
    t.like(JSON.parse((await cli('codes', 'disable', created.ids[1], '--json')).stdout), {
      status: 'disabled',
    });
    const disabled = await cli('codes', 'redeem', created.codes[1], '--member', 'codes.member');
    t.is(disabled.code, 1);
    t.regex(disabled.stderr, /disabled/);
    const viaCli = JSON.parse(
      (await cli('codes', 'redeem', created.codes[2], '--member', 'codes.member', '--json')).stdout,
    );
    t.like(viaCli, { member: 'codes.member' });
    const used = JSON.parse((await cli('codes', 'list', '--status', 'used', '--json')).stdout);
    t.true(used.items.every((c: { status: string }) => c.status === 'used'));
    t.is(used.total, 2);
  },
);

test.serial(
  'an administrator code lets its member create codes for that scope only; codes never reach the log',
  async (t) => {
    await cli('groups', 'create', 'Partners');
    const admin = JSON.parse(
      (await cli('codes', 'create', '--role', 'Administrator', '--scope', 'Partners', '--json'))
        .stdout,
    );
    const cookie = await signedInMember('partner.admin');
    t.is(
      (await asMember(cookie, 'POST', '/auth/codes', { roles: ['User'], scope: 'Partners' }))
        .status,
      403,
    );
    t.like((await asMember(cookie, 'POST', '/auth/codes/redeem', { code: admin.codes[0] })).body, {
      administrator: true,
      scope: 'Partners',
    });
    const mine = await asMember(cookie, 'POST', '/auth/codes', {
      count: 2,
      roles: ['User'],
      scope: 'Partners',
    });
    t.is(mine.status, 201);
    t.is(mine.headers.get('cache-control'), 'no-store');
    t.is(
      (await asMember(cookie, 'POST', '/auth/codes', { roles: ['User'], scope: 'Default Group' }))
        .status,
      403,
    );
    const visible = await asMember(cookie, 'GET', '/auth/codes');
    t.true(visible.body.items.every((c: { scope: string }) => c.scope === 'Partners'));
    const disabled = await asMember(cookie, 'POST', `/auth/codes/${mine.body.ids[0]}/disable`);
    t.is(disabled.status, 200, JSON.stringify(disabled.body));
    t.like(disabled.body, { id: mine.body.ids[0], status: 'disabled' });
    for (const code of [...admin.codes, ...mine.body.codes])
      t.false(daemon.output().includes(code));
  },
);
