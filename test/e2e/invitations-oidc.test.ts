import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, freePort } from '../helpers/browser.ts';
import { type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  signInAtProvider,
  startProvider,
  type TestProvider,
} from '../helpers/oidc-provider.ts';

// Enterprise acceptance of an invitation through the sign-in issue's hook, with a real OpenID
// Provider: the invitation page offers the organization login carrying the token; the sign-in
// joins the invited pending member when the provider's email is the invited one, and is refused
// (the invitation stays open) when it is not.

const dir = tempDir('provisiond-invite-oidc-');
const env: Record<string, string> = {
  PROVISIOND_DATA_DIR: path.join(dir, 'data'),
  OIDC_SECRET: CLIENT_SECRET,
};
let provider: TestProvider;
let daemon: DaemonProcess;
let base: string;
const callback = () => `${base}/auth/oidc/corp/callback`;

test.before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startProvider(await freePort(), [callback()]);
  const config = path.join(dir, 'provisiond.yaml');
  writeFileSync(
    config,
    `sources:
  - { name: builtin, type: builtin }
  - name: corp
    type: oidc
    label: Corp OIDC
    issuer: ${provider.issuer}
    clientId: ${CLIENT_ID}
    clientSecret: { env: OIDC_SECRET }
    autoRegister: false
`,
  );
  Object.assign(env, { PROVISIOND_CONFIG: config, PORT: String(port) });
  daemon = await startDaemonProcess(env);
});

test.after.always(async () => {
  await daemon?.stop();
  await provider?.close();
});

async function invite(email: string) {
  const result = await runCli(
    [
      'invitations',
      'create',
      '--email',
      email,
      '--mode',
      'organization-logins',
      '--role',
      'User',
      '--json',
    ],
    env,
  );
  if (result.code !== 0) throw new Error(result.stderr);
  const invitation = JSON.parse(result.stdout) as { id: string; link: string };
  return { ...invitation, token: new URL(invitation.link).searchParams.get('token')! };
}

async function signInWith(browser: Browser, token: string, login: string) {
  const started = await browser.get(`${base}/auth/oidc/corp/login?lang=en&invitation=${token}`);
  const returned = await signInAtProvider(browser, started.location!, login, callback());
  return browser.get(returned);
}

test.serial(
  'the invited address signs in with its organization login and joins as the invited member',
  async (t) => {
    const invitation = await invite('ada@corp.example');
    const page = await new Browser().get(
      `${base}/invitations/accept?token=${invitation.token}&lang=en`,
    );
    t.is(page.status, 200);
    t.true(
      page.text.includes(`/auth/oidc/corp/login?lang=en&amp;invitation=${invitation.token}`),
      'the organization login carries the invitation',
    );
    t.false(page.text.includes('name="password"'), 'organization logins only: no built-in form');

    provider.accounts.set('ada-4711', {
      email: 'ada@corp.example',
      email_verified: true,
      given_name: 'Ada',
      family_name: 'Lovelace',
    });
    const browser = new Browser();
    const answer = await signInWith(browser, invitation.token, 'ada-4711');
    t.is(answer.status, 303, answer.text);
    const session = JSON.parse((await browser.get(`${base}/auth/session`)).text);
    t.like(session, { signedIn: true, source: 'corp', member: { username: 'ada-4711' } });
    const shown = JSON.parse(
      (await runCli(['invitations', 'show', invitation.id, '--json'], env)).stdout,
    );
    t.like(shown, { status: 'accepted', username: 'ada-4711' });
    t.is(
      (await new Browser().get(`${base}/invitations/accept?token=${invitation.token}`)).status,
      404,
      'the link is used up',
    );
  },
);

test.serial(
  'another email from the provider is refused and the invitation stays open',
  async (t) => {
    const invitation = await invite('bob@corp.example');
    provider.accounts.set('mallory-1', { email: 'mallory@corp.example', email_verified: true });
    const browser = new Browser();
    const answer = await signInWith(browser, invitation.token, 'mallory-1');
    t.is(answer.status, 403);
    t.false(JSON.parse((await browser.get(`${base}/auth/session`)).text).signedIn);
    const shown = JSON.parse(
      (await runCli(['invitations', 'show', invitation.id, '--json'], env)).stdout,
    );
    t.is(shown.status, 'pending');
  },
);
