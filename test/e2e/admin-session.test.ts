import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, formToken } from '../helpers/browser.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// Administrators over HTTP with their session, against the real daemon: an Administrator acts on
// /api/v1 (even what API keys cannot: keys, organization), a member without administrative
// access gets 403, every session write needs the CSRF token and the daemon's own origin (a
// refused write changes nothing), the HTML forms refuse a post without their token, the audit
// log names the member, and an administrator's idle session ends sooner than others.

const dir = tempDir('provisiond-admin-session-');
const config = path.join(dir, 'provisiond.yaml');
const env: Record<string, string> = {
  PROVISIOND_DATA_DIR: path.join(dir, 'data'),
  PROVISIOND_CONFIG: config,
};
let daemon: DaemonProcess;
let editor: string;
const PASSWORD = 'Harbour-5521-x';

function configure(adminIdleMinutes: number): void {
  writeFileSync(config, `signIn:\n  adminIdleMinutes: ${adminIdleMinutes}\n`);
}

async function createMember(username: string, role: string): Promise<void> {
  const created = await runCli(
    [
      'members',
      'create',
      '--username',
      username,
      '--email',
      `${username}@example.org`,
      '--name',
      'Sam Ple',
      '--role',
      role,
      '--password-stdin',
      '--no-temporary-password',
      '--json',
    ],
    env,
    PASSWORD,
  );
  if (created.code !== 0) throw new Error(created.stderr);
}

test.before(async () => {
  configure(30);
  daemon = await startDaemonProcess(env);
  editor = JSON.parse(
    (await runCli(['keys', 'create', '--title', 'admin test', '--role', 'editor', '--json'], env))
      .stdout,
  ).secret;
  await createMember('ada.admin', 'Administrator');
  await createMember('val.viewer', 'Viewer');
});

test.after.always(async () => {
  await daemon?.stop();
});

/** A browser signed in through the JSON sign-in, with the CSRF token GET /api/v1/me gives it. */
async function signIn(username: string) {
  const browser = new Browser();
  const login = await browser.json('POST', `${daemon.url}/auth/builtin/login`, {
    username,
    password: PASSWORD,
  });
  if (login.status !== 200) throw new Error(login.text);
  const me = await browser.json('GET', `${daemon.url}/api/v1/me`);
  return { browser, login: login.body, me: me.body, status: me.status };
}

const write = (csrf: string, extra: Record<string, string> = {}) => ({
  'x-csrf-token': csrf,
  origin: daemon.url,
  'sec-fetch-site': 'same-origin',
  ...extra,
});

test.serial(
  'an Administrator session does what API keys cannot: keys, organization; the audit log names them',
  async (t) => {
    const { browser, login, me, status } = await signIn('ada.admin');
    t.is(status, 200);
    t.like(me, { actor: { type: 'member', label: 'ada.admin' }, access: 'administrator' });
    t.is(me.groups, null);
    t.is(me.session.idleMinutes, 30);
    t.is(me.csrfToken, login.csrfToken, 'the sign-in answer carries the same token');

    const key = await browser.json(
      'POST',
      `${daemon.url}/api/v1/keys`,
      { title: 'made by ada', role: 'viewer' },
      write(me.csrfToken),
    );
    t.is(key.status, 201, key.text);
    t.is(key.body.createdBy, 'ada.admin');
    const org = await browser.json(
      'PATCH',
      `${daemon.url}/api/v1/organization`,
      { name: 'Ada Industries' },
      write(me.csrfToken),
    );
    t.is(org.status, 200, org.text);
    t.is(org.body.name, 'Ada Industries');
    const byKey = await api(daemon.url, 'PATCH', '/api/v1/organization', editor, { name: 'X' });
    t.is(byKey.status, 403, 'an API key still cannot change the organization');

    const audit = await browser.json(
      'GET',
      `${daemon.url}/api/v1/audit?action=organization.update&actorId=${me.actor.id}`,
    );
    t.is(audit.status, 200);
    t.is(audit.body.total, 1);
    t.like(audit.body.items[0], {
      actor: { type: 'member', id: me.actor.id, label: 'ada.admin' },
      action: 'organization.update',
    });
  },
);

test.serial(
  'a session write without the CSRF token, with a wrong one, or from another origin is refused and writes nothing',
  async (t) => {
    const { browser, me } = await signIn('ada.admin');
    const before = (await api(daemon.url, 'GET', '/api/v1/groups', editor)).body.total;
    const create = (headers: Record<string, string>) =>
      browser.json('POST', `${daemon.url}/api/v1/groups`, { name: 'Forged' }, headers);

    const missing = await create({});
    t.is(missing.status, 403);
    t.regex(missing.body.detail, /CSRF.*x-csrf-token/i);
    const wrong = await create(write('A'.repeat(43)));
    t.is(wrong.status, 403);
    t.regex(wrong.body.detail, /CSRF token is not valid/);
    const other = await signIn('ada.admin');
    t.is(
      (await create(write(other.me.csrfToken))).status,
      403,
      "another browser's token does not fit this browser's cookie",
    );
    const foreign = await create(write(me.csrfToken, { origin: 'https://evil.example' }));
    t.is(foreign.status, 403);
    t.regex(foreign.body.detail, /another origin \(https:\/\/evil\.example\)/);
    const crossSite = await create(write(me.csrfToken, { 'sec-fetch-site': 'cross-site' }));
    t.is(crossSite.status, 403);
    t.regex(crossSite.body.detail, /another site/);
    t.is((await api(daemon.url, 'GET', '/api/v1/groups', editor)).body.total, before);

    const made = await create(write(me.csrfToken));
    t.is(made.status, 201, made.text);
    t.is((await api(daemon.url, 'GET', '/api/v1/groups', editor)).body.total, before + 1);
  },
);

test.serial('a member without administrative access gets 403 with a clear message', async (t) => {
  const { browser, me, status } = await signIn('val.viewer');
  t.is(status, 200);
  t.like(me, { access: 'none', actor: { label: 'val.viewer' } });
  const members = await browser.json('GET', `${daemon.url}/api/v1/members`);
  t.is(members.status, 403);
  t.regex(members.body.detail, /val\.viewer is not an administrator of this organization/);
  const key = await browser.json(
    'POST',
    `${daemon.url}/api/v1/keys`,
    { title: 'no', role: 'viewer' },
    write(me.csrfToken),
  );
  t.is(key.status, 403);
  t.is((await new Browser().json('GET', `${daemon.url}/api/v1/members`)).status, 401);
});

test.serial('the HTML forms refuse a post without their CSRF token (login CSRF)', async (t) => {
  const attacker = new Browser();
  const forged = await attacker.post(`${daemon.url}/auth/builtin/login?lang=de`, {
    username: 'ada.admin',
    password: PASSWORD,
  });
  t.is(forged.status, 403);
  t.true(forged.text.includes('Dieses Formular ist abgelaufen'));
  t.false(
    forged.headers.getSetCookie().some((c) => c.startsWith('pvd_session=')),
    'no session opened',
  );

  const browser = new Browser();
  const form = await browser.get(`${daemon.url}/auth/sign-in`);
  const token = formToken(form.text);
  const crossOrigin = await browser.post(
    `${daemon.url}/auth/builtin/login`,
    { csrfToken: token, username: 'ada.admin', password: PASSWORD },
    { origin: 'https://evil.example' },
  );
  t.is(crossOrigin.status, 403);
  const stolen = await new Browser().post(`${daemon.url}/auth/builtin/login`, {
    csrfToken: token,
    username: 'ada.admin',
    password: PASSWORD,
  });
  t.is(stolen.status, 403, 'a token without the cookie it was made for is refused');
  const posted = await browser.post(`${daemon.url}/auth/builtin/login`, {
    csrfToken: token,
    username: 'ada.admin',
    password: PASSWORD,
  });
  t.is(posted.status, 303);
  const signedIn = await browser.get(`${daemon.url}/auth/sign-in`);
  t.true(signedIn.text.includes('ada.admin'));
  t.not(formToken(signedIn.text), token, 'signing in renews the token');
  const outWithOld = await browser.post(`${daemon.url}/auth/sign-out`, { csrfToken: token });
  t.is(outWithOld.status, 403);
  const out = await browser.post(`${daemon.url}/auth/sign-out`, {
    csrfToken: formToken(signedIn.text),
  });
  t.is(out.status, 303);
});

test.serial(
  "an administrator's session ends after the idle time; a member's does not",
  async (t) => {
    t.is(await daemon.stop(), 0);
    configure(0.1);
    daemon = await startDaemonProcess(env);
    const admin = await signIn('ada.admin');
    const member = await signIn('val.viewer');
    t.is(admin.me.session.idleMinutes, 0.1);
    t.is(member.me.session.idleMinutes, null);
    // Used within the idle time, the session stays.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    t.is((await admin.browser.json('GET', `${daemon.url}/api/v1/members`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    const expired = await admin.browser.json('GET', `${daemon.url}/api/v1/members`);
    t.is(expired.status, 401);
    t.false(
      JSON.parse((await admin.browser.get(`${daemon.url}/auth/session`)).text).signedIn,
      'the session is over everywhere',
    );
    t.true(JSON.parse((await member.browser.get(`${daemon.url}/auth/session`)).text).signedIn);
  },
);
