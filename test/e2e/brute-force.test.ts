import test from 'ava';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type DaemonProcess, api, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { formToken } from '../helpers/browser.ts';

// Brute force against the real daemon without self-inflicted denial of service: a stranger's
// failures lock a login only at the stranger's address; a login tried from many addresses is
// locked from unknown addresses only; one address spraying many logins is slowed with a
// back-off; X-Forwarded-For is read only from the trusted proxy; every 429 says Retry-After;
// a directory that is down answers 503 and does not stop the counting.

const OWNER = { username: 'bf.owner', password: 'Compass-8812-r' };

interface Setup {
  daemon: DaemonProcess;
  key: string;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function start(trustProxy: boolean, withDeadDirectory: boolean): Promise<Setup> {
  const dir = tempDir('provisiond-brute-');
  const config = path.join(dir, 'provisiond.yaml');
  const dead = withDeadDirectory
    ? `  - name: corp
    type: ldap
    flavor: openldap
    url: ldap://127.0.0.1:${await closedPort()}
    bindDN: cn=admin,dc=example,dc=org
    bindCredentials: { env: CORP_LDAP_PASSWORD }
    timeoutSeconds: 2
    users: { baseDN: "ou=people,dc=example,dc=org" }
`
    : '';
  writeFileSync(
    config,
    `server:
${trustProxy ? '  trustProxy: loopback\n' : '  shutdownGraceSeconds: 1\n'}signIn:
  maxFailures: 3
  loginMaxFailures: 8
  addressMaxFailures: 12
  addressLockoutMinutes: 1
sources:
  - { name: builtin, type: builtin }
${dead}`,
  );
  const env = {
    PROVISIOND_DATA_DIR: path.join(dir, 'data'),
    PROVISIOND_CONFIG: config,
    CORP_LDAP_PASSWORD: 'unused',
  };
  const daemon = await startDaemonProcess(env);
  const key = JSON.parse(
    (
      await runCli(
        [
          'keys',
          'create',
          '--title',
          'brute',
          '--role',
          'editor',
          '--expires-in-days',
          '30',
          '--json',
        ],
        env,
      )
    ).stdout,
  ).secret as string;
  return { daemon, key };
}

async function createMember(s: Setup, username: string, password: string) {
  const created = await api(s.daemon.url, 'POST', '/api/v1/members', s.key, {
    username,
    email: `${username}@example.org`,
    firstName: 'Brute',
    lastName: 'Force',
    password,
    mustChangePassword: false,
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
}

async function login(
  s: Setup,
  username: string,
  password: string,
  from?: string,
  form = false,
): Promise<{ status: number; retryAfter: string | null; text: string }> {
  // A form post carries the CSRF token of the sign-in page it came from, with that page's cookie.
  const page = form ? await fetch(`${s.daemon.url}/auth/sign-in`) : null;
  const cookie = page?.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const response = await fetch(`${s.daemon.url}/auth/builtin/login`, {
    method: 'POST',
    headers: {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...(from && { 'x-forwarded-for': from }),
      ...(cookie && { cookie }),
    },
    body: page
      ? new URLSearchParams({
          username,
          password,
          csrfToken: formToken(await page.text()),
        }).toString()
      : JSON.stringify({ username, password }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    text: await response.text(),
  };
}

let proxied: Setup;

test.before(async () => {
  proxied = await start(true, true);
  await createMember(proxied, OWNER.username, OWNER.password);
});

test.after.always(async () => {
  await proxied?.daemon.stop();
});

test.serial('a stranger cannot lock a member out of their own address', async (t) => {
  t.is((await login(proxied, OWNER.username, OWNER.password, '203.0.113.10')).status, 200);
  for (let i = 0; i < 3; i++) await login(proxied, OWNER.username, `wrong-${i}`, '198.51.100.66');
  const stranger = await login(proxied, OWNER.username, OWNER.password, '198.51.100.66');
  t.is(stranger.status, 429, 'the stranger address is locked for this login');
  t.truthy(stranger.retryAfter);
  t.true(Number(stranger.retryAfter) > 0);
  t.is((await login(proxied, OWNER.username, OWNER.password, '203.0.113.10')).status, 200);
  // A new address of the member is not locked by the stranger either: 3 failures are far
  // from the per-login limit.
  t.is((await login(proxied, OWNER.username, OWNER.password, '203.0.113.11')).status, 200);
});

test.serial(
  'failures from many addresses lock the login from unknown addresses only',
  async (t) => {
    await createMember(proxied, 'bf.target', 'Meadow-2290-s');
    t.is((await login(proxied, 'bf.target', 'Meadow-2290-s', '203.0.113.20')).status, 200);
    for (let i = 0; i < 8; i++) {
      const r = await login(proxied, 'bf.target', 'wrong', `192.0.2.${i + 1}`);
      t.true([401, 429].includes(r.status), r.text);
    }
    const unknown = await login(proxied, 'bf.target', 'Meadow-2290-s', '192.0.2.200');
    t.is(unknown.status, 429);
    t.truthy(unknown.retryAfter);
    t.is((await login(proxied, 'bf.target', 'Meadow-2290-s', '203.0.113.20')).status, 200);
  },
);

test.serial(
  'one address spraying many logins is slowed, the page too says Retry-After',
  async (t) => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await login(proxied, `nobody.${i}`, 'guess', '198.51.100.99')).status);
    // Unknown logins while the directory is down are 503s; they are counted all the same.
    t.deepEqual(statuses.slice(0, 11), Array(11).fill(503));
    t.is(statuses[11], 429);
    const page = await login(proxied, OWNER.username, OWNER.password, '198.51.100.99', true);
    t.is(page.status, 429);
    t.regex(page.text, /<html/);
    t.true(Number(page.retryAfter) > 0, 'the HTML 429 carries Retry-After');
    // Other addresses are not affected.
    t.is((await login(proxied, OWNER.username, OWNER.password, '203.0.113.10')).status, 200);
  },
);

test.serial(
  'a directory that is down: a built-in wrong password is counted, an unknown login is a 503',
  async (t) => {
    await createMember(proxied, 'bf.local', 'Harvest-6604-t');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await login(proxied, 'bf.local', 'wrong', '203.0.113.40')).status);
    t.deepEqual(statuses, [401, 401, 429, 429], 'the lock-out holds while the directory is down');
    const unknown = await login(proxied, 'corp.person', 'whatever', '203.0.113.41');
    t.is(unknown.status, 503);
    t.regex(JSON.parse(unknown.text).detail, /directory "corp" cannot be reached/);
    const page = await login(proxied, 'corp.person', 'whatever', '203.0.113.41', true);
    t.is(page.status, 503);
    t.regex(page.text, /cannot be reached/);
    t.is((await login(proxied, 'bf.local', 'Harvest-6604-t', '203.0.113.42')).status, 200);
  },
);

test.serial('a NUL in the login is a 400, not a 500', async (t) => {
  const r = await login(proxied, 'bf.owner\u0000', 'x', '203.0.113.50');
  t.is(r.status, 400);
  t.regex(r.text, /username/);
});

test.serial('without trusted proxies, X-Forwarded-For is ignored', async (t) => {
  const direct = await start(false, false);
  try {
    const statuses: number[] = [];
    // Every attempt claims another address; all come from 127.0.0.1 and count there.
    for (let i = 0; i < 13; i++)
      statuses.push((await login(direct, `nobody.${i}`, 'guess', `192.0.2.${i + 1}`)).status);
    t.deepEqual(statuses.slice(0, 11), Array(11).fill(401));
    t.is(statuses[11], 429);
    t.is(statuses[12], 429);
  } finally {
    await direct.daemon.stop();
  }
});
