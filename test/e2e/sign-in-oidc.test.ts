import test, { type ExecutionContext } from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, freePort } from '../helpers/browser.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  signInAtProvider,
  startProvider,
  type TestProvider,
} from '../helpers/oidc-provider.ts';

// OpenID Connect sign-in against the real daemon, with a real OpenID Provider (oidc-provider) in
// the test process: discovery, code + PKCE, state and nonce; auto-registration on ("corp") and
// off ("strict"), linking by verified email, and the attacks on state, nonce and code refused.

const dir = tempDir('provisiond-oidc-');
const env: Record<string, string> = {
  PROVISIOND_DATA_DIR: path.join(dir, 'data'),
  OIDC_SECRET: CLIENT_SECRET,
};
let provider: TestProvider;
let daemon: DaemonProcess;
let editor: string;
let base: string;

const callbackOf = (source: string) => `${base}/auth/oidc/${source}/callback`;

test.before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startProvider(await freePort(), [callbackOf('corp'), callbackOf('strict')]);
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
    autoRegister: true
    linkBy: email
  - name: strict
    type: oidc
    issuer: ${provider.issuer}
    clientId: ${CLIENT_ID}
    clientSecret: { env: OIDC_SECRET }
`,
  );
  Object.assign(env, { PROVISIOND_CONFIG: config, PORT: String(port) });
  daemon = await startDaemonProcess(env);
  editor = JSON.parse(
    (
      await runCli(
        [
          'keys',
          'create',
          '--title',
          'oidc test',
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
  await provider?.close();
});

async function startSignIn(browser: Browser, source: string, invitation?: string): Promise<URL> {
  const started = await browser.get(
    `${base}/auth/oidc/${source}/login?lang=de${invitation ? `&invitation=${invitation}` : ''}`,
  );
  if (started.status !== 303 || !started.location)
    throw new Error(`login did not redirect: ${started.status} ${started.text}`);
  return new URL(started.location);
}

async function signIn(browser: Browser, source: string, login: string) {
  const callback = await signInAtProvider(
    browser,
    (await startSignIn(browser, source)).href,
    login,
    callbackOf(source),
  );
  return { callback, answer: await browser.get(callback) };
}

const session = async (browser: Browser) =>
  JSON.parse((await browser.get(`${base}/auth/session`)).text);

test.serial(
  'sources show prints the redirect URL; the secret is a reference that is never shown',
  async (t) => {
    const shown = await runCli(['sources', 'show', 'corp', '--json'], env);
    t.is(shown.code, 0, shown.stderr);
    t.like(JSON.parse(shown.stdout), {
      type: 'oidc',
      redirectUrl: callbackOf('corp'),
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      autoRegister: true,
      linkBy: 'email',
    });
    t.false(shown.stdout.includes(CLIENT_SECRET));
  },
);

test.serial('the authorization request uses PKCE (S256), state and nonce', async (t) => {
  const url = await startSignIn(new Browser(), 'corp');
  t.is(url.origin, provider.issuer);
  t.is(url.searchParams.get('code_challenge_method'), 'S256');
  t.truthy(url.searchParams.get('code_challenge'));
  t.truthy(url.searchParams.get('state'));
  t.truthy(url.searchParams.get('nonce'));
  t.is(url.searchParams.get('redirect_uri'), callbackOf('corp'));
});

test.serial(
  'a first OIDC sign-in registers the member with sub as login; the next one finds it by its link',
  async (t) => {
    provider.accounts.set('ada-4711', {
      email: 'ada@corp.example',
      email_verified: true,
      given_name: 'Ada',
      family_name: 'Lovelace',
    });
    const browser = new Browser();
    const { callback, answer } = await signIn(browser, 'corp', 'ada-4711');
    t.is(answer.status, 303, answer.text);
    t.is(answer.location, `${base}/auth/sign-in?lang=de`);
    const body = await session(browser);
    t.like(body, { signedIn: true, source: 'corp', member: { username: 'ada-4711' } });
    const member = await api(base, 'GET', `/api/v1/members/${body.member.id}`, editor);
    t.like(member.body, {
      username: 'ada-4711',
      email: 'ada@corp.example',
      firstName: 'Ada',
      lastName: 'Lovelace',
      source: 'corp',
    });

    const again = new Browser();
    t.is((await signIn(again, 'corp', 'ada-4711')).answer.status, 303);
    t.is((await session(again)).member.id, body.member.id);
    const code = new URL(callback).searchParams.get('code')!;
    t.false(daemon.output().includes(code), 'the code is not logged');
    t.false(daemon.output().includes(CLIENT_SECRET), 'the client secret is not logged');
  },
);

test.serial(
  'a verified email links the login to the existing member (linkBy: email); an unverified one is not used',
  async (t) => {
    const created = await api(base, 'POST', '/api/v1/members', editor, {
      username: 'grace.hopper',
      email: 'grace@corp.example',
      firstName: 'Grace',
      lastName: 'Hopper',
      password: 'Compiler-1952',
    });
    t.is(created.status, 201);
    provider.accounts.set('grace-0042', { email: 'grace@corp.example', email_verified: true });
    const browser = new Browser();
    t.is((await signIn(browser, 'corp', 'grace-0042')).answer.status, 303);
    t.is((await session(browser)).member.id, created.body.id);

    provider.accounts.set('eve-0666', { email: 'grace@corp.example', email_verified: false });
    const eve = new Browser();
    const refused = (await signIn(eve, 'corp', 'eve-0666')).answer;
    t.is(refused.status, 403, 'without a verified email neither linking nor registration happens');
    t.true(refused.text.includes('bestätigte E-Mail-Adresse'));
    t.false((await session(eve)).signedIn);
  },
);

test.serial(
  'with auto-registration off, an unknown login is refused with a page saying so',
  async (t) => {
    provider.accounts.set('newcomer-1', { email: 'newcomer@corp.example', email_verified: true });
    const browser = new Browser();
    const refused = (await signIn(browser, 'strict', 'newcomer-1')).answer;
    t.is(refused.status, 403);
    t.true(
      refused.text.includes('Ihre Organisation erlaubt diesem Konto keinen automatischen Beitritt'),
    );
    t.false((await session(browser)).signedIn);
    t.is((await api(base, 'GET', '/api/v1/members/newcomer-1', editor)).status, 404);
  },
);

test.serial(
  'members imported with their OpenID Connect ID sign in through the source named in the import',
  async (t) => {
    const file = path.join(dir, 'oidc-ids.csv');
    writeFileSync(
      file,
      'Email,First Name,Last Name,OpenID Connect ID,User Type,Role\nkatherine@corp.example,Katherine,Johnson,kj-1918,Creator,User\n',
    );
    const args = ['import', 'csv', '--mode', 'add-org-ids', '--file', file, '--apply'];
    // Two OIDC sources are configured: the import must be told which one holds these identities.
    const unnamed = await runCli(args, env);
    t.regex(unnamed.stdout + unnamed.stderr, /corp, strict: choose one/);
    const imported = await runCli([...args, '--source', 'strict'], env);
    t.is(imported.code, 0, imported.stderr);
    t.regex(imported.stdout, /1 created/);
    // "strict" registers no one and links by no rule: only the imported link lets her in.
    provider.accounts.set('kj-1918', { email: 'katherine@corp.example', email_verified: true });
    const browser = new Browser();
    t.is((await signIn(browser, 'strict', 'kj-1918')).answer.status, 303);
    t.like(await session(browser), {
      signedIn: true,
      source: 'strict',
      member: { username: 'kj-1918' },
    });
  },
);

test.serial(
  'an invitation token travels through the sign-in; an unknown one is refused',
  async (t) => {
    const page = await new Browser().get(`${base}/auth/sign-in?invitation=tok-123`);
    t.true(
      page.text.includes('/auth/oidc/corp/login?lang=en&amp;invitation=tok-123'),
      'the buttons carry the invitation',
    );
    const browser = new Browser();
    const callback = await signInAtProvider(
      browser,
      (await startSignIn(browser, 'corp', 'tok-123')).href,
      'ada-4711',
      callbackOf('corp'),
    );
    const answer = await browser.get(callback);
    t.is(answer.status, 403);
    t.true(answer.text.includes('Diese Einladung ist ungültig'));
    t.false((await session(browser)).signedIn);
  },
);

async function refused(
  t: ExecutionContext,
  answer: { status: number; text: string },
  browser: Browser,
  reason: RegExp,
  before: number,
) {
  t.true(answer.status === 401 || answer.status === 400, `${answer.status} ${answer.text}`);
  t.false((await session(browser)).signedIn);
  for (let i = 0; i < 40 && !reason.test(daemon.output().slice(before)); i++)
    await new Promise((r) => setTimeout(r, 50));
  t.regex(daemon.output().slice(before), reason);
}

test.serial('attack: a state that is not the one this browser was given is refused', async (t) => {
  provider.accounts.set('mallory-1', { email: 'mallory@corp.example', email_verified: true });
  const browser = new Browser();
  const url = await startSignIn(browser, 'corp');
  url.searchParams.set('state', 'state-of-another-sign-in');
  const before = daemon.output().length;
  const callback = await signInAtProvider(browser, url.href, 'mallory-1', callbackOf('corp'));
  await refused(t, await browser.get(callback), browser, /state/, before);
});

test.serial('attack: an ID token with another nonce is refused', async (t) => {
  const browser = new Browser();
  const url = await startSignIn(browser, 'corp');
  url.searchParams.set('nonce', 'nonce-of-another-sign-in');
  const before = daemon.output().length;
  const callback = await signInAtProvider(browser, url.href, 'mallory-1', callbackOf('corp'));
  await refused(t, await browser.get(callback), browser, /nonce/, before);
});

test.serial(
  'attack: a code used once is refused when replayed, as is or in a new sign-in',
  async (t) => {
    provider.accounts.set('ada-4711', { email: 'ada@corp.example', email_verified: true });
    const browser = new Browser();
    const { callback, answer } = await signIn(browser, 'corp', 'ada-4711');
    t.is(answer.status, 303);

    const attacker = new Browser();
    attacker.setCookie('127.0.0.1', 'pvd_flow', new URL(callback).searchParams.get('state')!);
    let before = daemon.output().length;
    await refused(t, await attacker.get(callback), attacker, /already used|expired/, before);

    const fresh = await startSignIn(attacker, 'corp');
    const replay = new URL(callback);
    replay.searchParams.set('state', fresh.searchParams.get('state')!);
    before = daemon.output().length;
    await refused(
      t,
      await attacker.get(replay.href),
      attacker,
      /invalid_grant|OpenID Connect sign-in failed/,
      before,
    );
  },
);
