import test from 'ava';
import path from 'node:path';
import { Browser, formToken } from '../helpers/browser.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// Codes and invitation tokens never reach the daemon's log, even at its most verbose
// level and through the paths that carry them: a code put in a URL by mistake (refused), a code
// redeemed twice and copied, an invitation link opened, accepted with a refusal first and then
// for good, carried through the sign-in page, and an enterprise callback with a code and state in
// its query string.

const dir = tempDir('provisiond-secret-logs-');
const env: Record<string, string> = {
  PROVISIOND_DATA_DIR: path.join(dir, 'data'),
  PROVISIOND_LOG_LEVEL: 'trace',
};
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
          'log test',
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

/** Signs a new member in; the answer is a function that sends JSON requests with their session. */
async function signedInMember(username: string) {
  const password = 'Harbour-5521-x';
  const created = await api(daemon.url, 'POST', '/api/v1/members', editor, {
    username,
    email: `${username}@example.org`,
    firstName: 'Lou',
    lastName: 'Gs',
    password,
    mustChangePassword: false,
    userType: 'Creator',
    role: 'Viewer',
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const login = await fetch(`${daemon.url}/auth/builtin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const cookie = /pvd_session=([^;]*)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error(`no session for ${username}`);
  return async (method: string, urlPath: string, body?: unknown) =>
    (
      await fetch(`${daemon.url}${urlPath}`, {
        method,
        headers: { cookie: `pvd_session=${cookie}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    ).status;
}

test.serial(
  'a code used in a URL by mistake, redeemed and copied never reaches the log',
  async (t) => {
    const created = JSON.parse(
      (await runCli(['codes', 'create', '--count', '2', '--role', 'Publisher', '--json'], env))
        .stdout,
    ) as { codes: string[]; ids: string[] };
    const [code, other] = created.codes as [string, string];

    const shown = await api(daemon.url, 'GET', `/api/v1/codes/${code}`, editor);
    t.is(shown.status, 400);
    t.regex(shown.body.detail, /not a code's id; codes never go in a URL/);
    t.is((await api(daemon.url, 'POST', `/api/v1/codes/${other}/disable`, editor)).status, 400);
    const showByCli = await runCli(['codes', 'show', code], env);
    t.is(showByCli.code, 1);
    t.regex(showByCli.stderr, /Give the code's id/);
    t.like((await api(daemon.url, 'GET', `/api/v1/codes/${created.ids[0]}`, editor)).body, {
      id: created.ids[0],
      status: 'valid',
    });

    const asMember = await signedInMember('log.member');
    t.is(await asMember('POST', '/auth/codes/redeem', { code }), 200);
    t.is(await asMember('POST', '/auth/codes/redeem', { code }), 409);
    t.is(await asMember('POST', `/auth/codes/${other}/disable`), 400);
    const copied = await runCli(['codes', 'copy', other], env);
    t.true(copied.stdout.includes(other), copied.stderr);

    t.regex(daemon.output(), /"msg":"signed in"/, 'the log is captured, at its most verbose level');
    for (const secret of [code, other]) t.false(daemon.output().includes(secret));
  },
);

test.serial(
  'an invitation token in the accept link and the sign-in page never reaches the log',
  async (t) => {
    const created = await api(daemon.url, 'POST', '/api/v1/invitations', editor, {
      email: 'invitee@example.org',
      role: 'User',
    });
    t.is(created.status, 201, JSON.stringify(created.body));
    const link = (created.body.items[0].link as string).replace(/^https?:\/\/[^/]+/, daemon.url);
    const token = new URL(link).searchParams.get('token')!;
    t.regex(token, /^inv_/);

    const browser = new Browser();
    const shown = await browser.get(link);
    t.is(shown.status, 200);
    t.is((await browser.get(link, { accept: 'application/json' })).status, 200);
    t.is((await browser.get(`${daemon.url}/auth/sign-in?invitation=${token}`)).status, 200);
    const weak = await browser.post(`${daemon.url}/invitations/accept`, {
      csrfToken: formToken(shown.text),
      token,
      username: 'invitee',
      password: 'short',
    });
    t.is(weak.status, 400);
    const accepted = await browser.post(`${daemon.url}/invitations/accept`, {
      csrfToken: formToken(weak.text),
      token,
      username: 'invitee',
      password: 'Analytical-1843',
    });
    t.is(accepted.status, 201, accepted.text);
    t.is((await browser.get(link)).status, 404);
    t.is((await browser.get(link, { accept: 'application/json' })).status, 404);

    // An enterprise callback's query carries the provider's code and the state.
    const providerCode = 'oidc-code-4b1d7e0c9a';
    const state = 'oidc-state-5f2e8a1b3c';
    t.is(
      (
        await browser.get(
          `${daemon.url}/auth/oidc/corp/callback?code=${providerCode}&state=${state}`,
        )
      ).status,
      404,
    );

    for (const secret of [token, providerCode, state])
      t.false(daemon.output().includes(secret), secret);
  },
);
