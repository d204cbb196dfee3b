import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, formToken } from '../helpers/browser.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// Built-in accounts against the real daemon: password sign-in (JSON and the HTML form), wrong
// password, lock-out, the temporary password changed first, sign-out revoking the session,
// sessions surviving a restart, and self-registration when the configuration allows it.

const dir = tempDir('provisiond-builtin-signin-');
const env: Record<string, string> = { PROVISIOND_DATA_DIR: path.join(dir, 'data') };
let daemon: DaemonProcess;
let editor: string;

test.before(async () => {
  const config = path.join(dir, 'provisiond.yaml');
  writeFileSync(
    config,
    `server:
  publicUrl: https://signin.example.test
signIn:
  maxFailures: 3
  lockoutMinutes: 10
sources:
  - { name: builtin, type: builtin, allowSelfRegistration: true }
`,
  );
  env.PROVISIOND_CONFIG = config;
  daemon = await startDaemonProcess(env);
  editor = JSON.parse(
    (
      await runCli(
        [
          'keys',
          'create',
          '--title',
          'sign-in test',
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

async function createMember(username: string, password: string, mustChangePassword = true) {
  const created = await api(daemon.url, 'POST', '/api/v1/members', editor, {
    username,
    email: `${username}@example.org`,
    firstName: 'Sam',
    lastName: 'Ple',
    password,
    mustChangePassword,
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return created.body as { id: string };
}

async function jsonLogin(browser: Browser, username: string, password: string) {
  const response = await fetch(`${daemon.url}/auth/builtin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const cookie = /pvd_session=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  if (cookie) browser.setCookie('127.0.0.1', 'pvd_session', cookie);
  return {
    status: response.status,
    body: await response.json(),
    setCookie: response.headers.get('set-cookie'),
    headers: response.headers,
  };
}

const session = async (browser: Browser) =>
  JSON.parse((await browser.get(`${daemon.url}/auth/session`)).text);

test.serial(
  'a right password opens a session: HttpOnly, SameSite, Secure (https public URL) cookie',
  async (t) => {
    const member = await createMember('kim.right', 'Harbour-5521-x', false);
    const browser = new Browser();
    const result = await jsonLogin(browser, 'KIM.RIGHT', 'Harbour-5521-x');
    t.is(result.status, 200);
    t.like(result.body, {
      signedIn: true,
      member: { id: member.id, username: 'kim.right' },
      mustChangePassword: false,
      source: 'builtin',
    });
    t.regex(result.setCookie!, /HttpOnly/);
    t.regex(result.setCookie!, /SameSite=Lax/);
    t.regex(result.setCookie!, /Secure/);
    t.like(await session(browser), { signedIn: true, member: { id: member.id } });
    t.false(daemon.output().includes('Harbour-5521-x'));
  },
);

test.serial('a wrong password is refused, as JSON and as the translated form page', async (t) => {
  await createMember('kim.wrong', 'Harbour-5521-x', false);
  const result = await jsonLogin(new Browser(), 'kim.wrong', 'Harbour-5521-y');
  t.is(result.status, 401);
  t.like(result.body, { refusal: 'wrong-credentials' });
  const browser = new Browser();
  const form = await browser.get(`${daemon.url}/auth/sign-in?lang=fr`);
  const page = await browser.post(`${daemon.url}/auth/builtin/login?lang=fr`, {
    csrfToken: formToken(form.text),
    username: 'kim.wrong',
    password: 'nope',
  });
  t.is(page.status, 401);
  t.true(page.text.includes('role="alert"'));
  t.true(page.text.includes('Le nom d&#39;utilisateur ou le mot de passe est incorrect.'));
  t.true(page.text.includes('value="kim.wrong"'), 'the username is kept, the password is not');
});

test.serial(
  'repeated failures lock the login, even for the right password, and only that login',
  async (t) => {
    await createMember('kim.locked', 'Harbour-5521-x', false);
    await createMember('kim.other', 'Harbour-5521-x', false);
    const browser = new Browser();
    t.is((await jsonLogin(browser, 'kim.locked', 'bad-1')).status, 401);
    t.is((await jsonLogin(browser, 'kim.locked', 'bad-2')).status, 401);
    const third = await jsonLogin(browser, 'kim.locked', 'bad-3');
    t.is(third.status, 429);
    t.like(third.body, { refusal: 'locked' });
    const right = await jsonLogin(browser, 'kim.locked', 'Harbour-5521-x');
    t.is(right.status, 429);
    t.truthy(right.headers.get('retry-after'));
    t.is((await jsonLogin(new Browser(), 'kim.other', 'Harbour-5521-x')).status, 200);
  },
);

test.serial(
  'a temporary password must be changed first, through the form, before the session is full',
  async (t) => {
    await createMember('kim.temp', 'Temporary-8841-a');
    const browser = new Browser();
    const signInForm = await browser.get(`${daemon.url}/auth/sign-in?lang=de`);
    const posted = await browser.post(`${daemon.url}/auth/builtin/login?lang=de`, {
      csrfToken: formToken(signInForm.text),
      username: 'kim.temp',
      password: 'Temporary-8841-a',
    });
    t.is(posted.status, 303);
    t.is(posted.location, `${daemon.url}/auth/password?lang=de`);
    t.like(await session(browser), { signedIn: true, mustChangePassword: true });
    t.is(
      (await browser.get(`${daemon.url}/auth/account`)).status,
      403,
      'a session with a temporary password opens nothing else',
    );
    const signInPage = await browser.get(`${daemon.url}/auth/sign-in?lang=de`);
    t.is(
      signInPage.location,
      `${daemon.url}/auth/password?lang=de`,
      'the sign-in page sends to the password change',
    );
    const form = await browser.get(posted.location!);
    t.true(form.text.includes('Ihr Passwort ist vorläufig'));
    t.true(form.text.includes('<label for="newPassword">'));
    const weak = await browser.post(`${daemon.url}/auth/password?lang=de`, {
      csrfToken: formToken(form.text),
      currentPassword: 'Temporary-8841-a',
      newPassword: 'kim.temp',
    });
    t.is(weak.status, 400);
    t.true(weak.text.includes('role="alert"'));
    const changed = await browser.post(`${daemon.url}/auth/password?lang=de`, {
      csrfToken: formToken(weak.text),
      currentPassword: 'Temporary-8841-a',
      newPassword: 'Lighthouse-2290-k',
    });
    t.is(changed.status, 303);
    t.like(await session(browser), { signedIn: true, mustChangePassword: false });
    const account = await browser.get(`${daemon.url}/auth/account`);
    t.is(account.status, 200);
    t.like(JSON.parse(account.text), { username: 'kim.temp', email: 'kim.temp@example.org' });
    t.is((await new Browser().get(`${daemon.url}/auth/account`)).status, 401);
    t.is((await jsonLogin(new Browser(), 'kim.temp', 'Temporary-8841-a')).status, 401);
    t.like((await jsonLogin(new Browser(), 'kim.temp', 'Lighthouse-2290-k')).body, {
      mustChangePassword: false,
    });
  },
);

test.serial('sign-out revokes the session: its cookie no longer opens anything', async (t) => {
  await createMember('kim.leaves', 'Harbour-5521-x', false);
  const browser = new Browser();
  await jsonLogin(browser, 'kim.leaves', 'Harbour-5521-x');
  const token = browser.cookie('127.0.0.1', 'pvd_session')!;
  const page = await browser.get(`${daemon.url}/auth/sign-in`);
  const out = await browser.post(`${daemon.url}/auth/sign-out`, {
    csrfToken: formToken(page.text),
  });
  t.is(out.status, 303);
  t.regex(out.headers.get('set-cookie') ?? '', /pvd_session=;.*Max-Age=0/);
  const replay = new Browser();
  replay.setCookie('127.0.0.1', 'pvd_session', token);
  t.false((await session(replay)).signedIn);
});

test.serial(
  'self-registration (allowed here) creates the member with the default user type and role',
  async (t) => {
    const browser = new Browser();
    const form = await browser.get(`${daemon.url}/auth/sign-up?lang=fr`);
    t.is(form.status, 200);
    t.true(form.text.includes('<label for="firstName">Prénom</label>'));
    t.true(form.text.includes('lettres, chiffres et traits de soulignement (_)'));
    const weak = await browser.post(`${daemon.url}/auth/sign-up?lang=fr`, {
      csrfToken: formToken(form.text),
      firstName: 'Ann',
      lastName: 'Ew',
      username: 'ann_ew_self',
      email: 'ann@example.org',
      password: 'aaaabbbb',
    });
    t.is(weak.status, 400);
    t.true(weak.text.includes('value="ann_ew_self"'));
    // An account people create themselves takes letters, digits and underscores only.
    const dotted = await browser.post(`${daemon.url}/auth/sign-up?lang=fr`, {
      csrfToken: formToken(weak.text),
      firstName: 'Ann',
      lastName: 'Ew',
      username: 'ann.ew.self',
      email: 'ann@example.org',
      password: 'Keystone-7713-p',
    });
    t.is(dotted.status, 400);
    t.true(dotted.text.includes('underscores'), dotted.text);
    const posted = await browser.post(`${daemon.url}/auth/sign-up?lang=fr`, {
      csrfToken: formToken(dotted.text),
      firstName: 'Ann',
      lastName: 'Ew',
      username: 'ann_ew_self',
      email: 'ann@example.org',
      password: 'Keystone-7713-p',
    });
    t.is(posted.status, 303);
    const me = await session(browser);
    t.like(me, { signedIn: true, member: { username: 'ann_ew_self' }, mustChangePassword: false });
    const member = await api(daemon.url, 'GET', `/api/v1/members/${me.member.id}`, editor);
    t.like(member.body, {
      userType: { name: 'Creator' },
      role: { name: 'User' },
      source: 'builtin',
    });
  },
);

test.serial('a session survives a restart; disabling the member ends it', async (t) => {
  const member = await createMember('kim.stays', 'Harbour-5521-x', false);
  const browser = new Browser();
  await jsonLogin(browser, 'kim.stays', 'Harbour-5521-x');
  t.is(await daemon.stop(), 0);
  daemon = await startDaemonProcess(env);
  t.like(await session(browser), { signedIn: true, member: { id: member.id } });
  t.is((await api(daemon.url, 'POST', `/api/v1/members/${member.id}/disable`, editor)).status, 200);
  t.false((await session(browser)).signedIn);
});
