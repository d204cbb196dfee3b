import test from 'ava';
import path from 'node:path';
import { Browser, formToken } from '../helpers/browser.ts';
import { type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// Password push (Okta "Sync password", Entra password provisioning) against the real daemon: off
// by default, the password is discarded and /ServiceProviderConfig says changePassword is not
// supported; switched on for the organization, a password sent in POST, PUT or PATCH signs the
// member in through the built-in form, a weak one is refused with nothing written, and the
// password is never echoed.

const env: Record<string, string> = {
  PROVISIOND_DATA_DIR: path.join(tempDir('provisiond-password-push-'), 'data'),
};
let daemon: DaemonProcess;
let key: string;

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

test.before(async () => {
  daemon = await startDaemonProcess(env);
  const created = await runCli(
    ['keys', 'create', '--title', 'idp', '--role', 'editor', '--scope', 'scim'].concat([
      '--expires-in-days',
      '365',
      '--json',
    ]),
    env,
  );
  if (created.code !== 0) throw new Error(created.stderr);
  key = JSON.parse(created.stdout).secret;
});

test.after.always(async () => {
  await daemon?.stop();
});

async function scim(method: string, url: string, body?: unknown, auth = true) {
  const response = await fetch(`${daemon.url}/scim/v2${url}`, {
    method,
    headers: {
      ...(auth && { authorization: `Bearer ${key}` }),
      ...(body !== undefined && { 'content-type': 'application/scim+json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : null };
}

/** Signs in through the built-in HTML form; whether a session was opened. */
async function signsIn(username: string, password: string): Promise<boolean> {
  const browser = new Browser();
  const form = await browser.get(`${daemon.url}/auth/sign-in`);
  await browser.post(`${daemon.url}/auth/builtin/login`, {
    csrfToken: formToken(form.text),
    username,
    password,
  });
  return JSON.parse((await browser.get(`${daemon.url}/auth/session`)).text).signedIn === true;
}

test.serial('off by default: the password is discarded and not advertised', async (t) => {
  const config = await scim('GET', '/ServiceProviderConfig', undefined, false);
  t.false(config.body.changePassword.supported);
  const created = await scim('POST', '/Users', {
    schemas: [USER],
    userName: 'off.user',
    password: 'Pushed-Secret-7731',
  });
  t.is(created.status, 201, created.text);
  t.false(created.text.includes('Pushed-Secret-7731'));
  t.false(await signsIn('off.user', 'Pushed-Secret-7731'));
});

test.serial('on: POST, PUT and PATCH passwords sign in through the built-in form', async (t) => {
  const switched = await runCli(['orgs', 'update', '--scim-password-push'], env);
  t.is(switched.code, 0, switched.stderr);
  t.true((await scim('GET', '/ServiceProviderConfig')).body.changePassword.supported);

  const created = await scim('POST', '/Users', {
    schemas: [USER],
    userName: 'push.user',
    password: 'Pushed-Secret-7731',
  });
  t.is(created.status, 201, created.text);
  t.false(created.text.includes('Pushed-Secret-7731'), 'never echoed');
  t.true(await signsIn('push.user', 'Pushed-Secret-7731'));

  const id = created.body.id as string;
  const patched = await scim('PATCH', `/Users/${id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'replace', path: 'password', value: 'Rotated-Secret-4410' }],
  });
  t.is(patched.status, 200, patched.text);
  t.false(await signsIn('push.user', 'Pushed-Secret-7731'), 'the old one no longer works');
  t.true(await signsIn('push.user', 'Rotated-Secret-4410'));

  const put = await scim('PUT', `/Users/${id}`, {
    schemas: [USER],
    userName: 'push.user',
    password: 'Replaced-Secret-9902',
  });
  t.is(put.status, 200, put.text);
  t.true(await signsIn('push.user', 'Replaced-Secret-9902'));

  // A password the policy refuses: a SCIM error naming it, and the member keeps the previous one.
  const weak = await scim('PATCH', `/Users/${id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'replace', value: { password: 'short' } }],
  });
  t.is(weak.status, 400);
  t.is(weak.body.scimType, 'invalidValue');
  t.regex(weak.body.detail, /^password: /);
  t.true(await signsIn('push.user', 'Replaced-Secret-9902'));
  t.false(daemon.output().includes('Replaced-Secret-9902'), 'never logged');
});
