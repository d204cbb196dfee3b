import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Browser } from '../helpers/browser.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { readAuthnRequest, startSamlIdp, tamper, type TestIdp } from '../helpers/saml-idp.ts';

// SAML sign-in against the real daemon, with a samlify IdP of this test: SP-initiated login over
// the redirect binding, the ACS over POST, auto-registration on (source "corp") and off
// ("strict"), and every attack the issue lists refused.

const dir = tempDir('provisiond-saml-');
const env = { PROVISIOND_DATA_DIR: path.join(dir, 'data') };
let idp: TestIdp;
let daemon: DaemonProcess;
let editor: string;

test.before(async () => {
  idp = await startSamlIdp(dir);
  const metadataFile = path.join(dir, 'idp-metadata.xml');
  writeFileSync(metadataFile, await (await fetch(idp.metadataUrl)).text());
  const config = path.join(dir, 'provisiond.yaml');
  writeFileSync(
    config,
    `sources:
  - { name: builtin, type: builtin }
  - name: corp
    type: saml
    label: Corp SSO
    idpMetadata: { url: "${idp.metadataUrl}" }
    autoRegister: true
    attributes: { email: mail, firstName: givenName, lastName: sn }
  - name: strict
    type: saml
    idpMetadata: { file: "${metadataFile}" }
`,
  );
  Object.assign(env, { PROVISIOND_CONFIG: config });
  daemon = await startDaemonProcess(env);
  editor = JSON.parse(
    (
      await runCli(
        [
          'keys',
          'create',
          '--title',
          'saml test',
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
  await idp?.close();
});

const acs = (source: string) => `${daemon.url}/auth/saml/${source}/acs`;
const spEntity = (source: string) => `${daemon.url}/auth/saml/${source}/metadata`;

/** Starts a sign-in at the daemon as a browser does; returns what the IdP would receive. */
async function startSignIn(browser: Browser, source: string) {
  const started = await browser.get(`${daemon.url}/auth/saml/${source}/login?lang=fr`);
  if (started.status !== 303 || !started.location)
    throw new Error(`login did not redirect: ${started.status} ${started.text}`);
  return readAuthnRequest(started.location);
}

async function postToAcs(
  browser: Browser,
  source: string,
  SAMLResponse: string,
  RelayState: string,
) {
  return browser.post(acs(source), { SAMLResponse, RelayState });
}

const person = (nameId: string, requestId: string, source = 'corp') => ({
  nameId,
  audience: spEntity(source),
  recipient: acs(source),
  inResponseTo: requestId,
  attributes: { mail: `${nameId.split('@')[0]}@corp.example`, givenName: 'Grace', sn: 'Hopper' },
});

test.serial(
  'sources show prints the SP metadata URL and the ACS URL; the metadata is served there',
  async (t) => {
    const shown = await runCli(['sources', 'show', 'corp', '--json'], env);
    t.is(shown.code, 0, shown.stderr);
    const source = JSON.parse(shown.stdout);
    t.like(source, {
      type: 'saml',
      metadataUrl: spEntity('corp'),
      acsUrl: acs('corp'),
      entityId: spEntity('corp'),
      autoRegister: true,
    });
    const metadata = await fetch(source.metadataUrl);
    t.is(metadata.status, 200);
    const xml = await metadata.text();
    t.true(xml.includes(`entityID="${spEntity('corp')}"`));
    t.true(xml.includes(`Location="${acs('corp')}"`));
    t.true(xml.includes('WantAssertionsSigned="true"'));
    const page = await new Browser().get(`${daemon.url}/auth/sign-in`);
    t.true(page.text.includes('Corp SSO'), 'the sign-in page offers the source');
    t.false(page.text.includes('/auth/sign-up'), 'self-registration is off by default');
    t.is((await new Browser().get(`${daemon.url}/auth/sign-up`)).status, 404);
  },
);

test.serial(
  'a first SAML sign-in registers the member (auto-registration on), the next one finds it by its link',
  async (t) => {
    const browser = new Browser();
    const request = await startSignIn(browser, 'corp');
    t.is(request.destination, idp.metadataUrl.replace('/metadata', '/sso'));
    const response = await idp.response(person('grace.hopper@corp.example', request.id));
    const done = await postToAcs(browser, 'corp', response, request.relayState);
    t.is(done.status, 303, `${done.text}\n${daemon.output().slice(-3000)}`);
    t.is(done.location, `${daemon.url}/auth/sign-in?lang=fr`);
    const session = await browser.get(`${daemon.url}/auth/session`);
    const body = JSON.parse(session.text);
    t.like(body, {
      signedIn: true,
      source: 'corp',
      member: { username: 'grace.hopper@corp.example' },
    });
    const member = await api(daemon.url, 'GET', `/api/v1/members/${body.member.id}`, editor);
    t.like(member.body, {
      username: 'grace.hopper@corp.example',
      email: 'grace.hopper@corp.example',
      firstName: 'Grace',
      lastName: 'Hopper',
      source: 'corp',
      status: 'active',
    });
    t.truthy(member.body.lastSignInAt);

    const again = new Browser();
    const second = await startSignIn(again, 'corp');
    t.is(
      (
        await postToAcs(
          again,
          'corp',
          await idp.response(person('grace.hopper@corp.example', second.id)),
          second.relayState,
        )
      ).status,
      303,
    );
    t.is(
      JSON.parse((await again.get(`${daemon.url}/auth/session`)).text).member.id,
      body.member.id,
    );
    t.false(daemon.output().includes(response.slice(0, 40)), 'the assertion is not logged');
  },
);

test.serial(
  'with auto-registration off, an unknown login is refused with a page saying so',
  async (t) => {
    const browser = new Browser();
    const request = await startSignIn(browser, 'strict');
    const refused = await postToAcs(
      browser,
      'strict',
      await idp.response(person('alan.turing@corp.example', request.id, 'strict')),
      request.relayState,
    );
    t.is(refused.status, 403);
    t.true(refused.text.includes('Votre organisation n&#39;autorise pas'), refused.text);
    t.true(refused.text.includes('<html lang="fr">'));
    t.false(JSON.parse((await browser.get(`${daemon.url}/auth/session`)).text).signedIn);
    t.is(
      (await api(daemon.url, 'GET', '/api/v1/members/alan.turing@corp.example', editor)).status,
      404,
    );
  },
);

async function refusedWith(
  t: import('ava').ExecutionContext,
  make: (request: { id: string }) => Promise<string>,
  reason: RegExp,
) {
  const browser = new Browser();
  const request = await startSignIn(browser, 'corp');
  const before = daemon.output().length;
  const answer = await postToAcs(browser, 'corp', await make(request), request.relayState);
  t.is(answer.status, 401, answer.text);
  t.true(answer.text.includes('role="alert"'));
  t.false(JSON.parse((await browser.get(`${daemon.url}/auth/session`)).text).signedIn);
  // The log line may arrive a moment after the answer (the daemon's stdout is a pipe).
  for (let i = 0; i < 40 && !reason.test(daemon.output().slice(before)); i++)
    await new Promise((r) => setTimeout(r, 50));
  t.regex(daemon.output().slice(before), reason);
}

test.serial('attack: a tampered signature is refused', async (t) => {
  await refusedWith(
    t,
    async (r) =>
      tamper(
        await idp.response(person('mallory@corp.example', r.id)),
        'mallory@corp.example</saml:NameID>',
        'grace.hopper@corp.example</saml:NameID>',
      ),
    /FAILED_TO_VERIFY_SIGNATURE/,
  );
});

test.serial('attack: an unsigned assertion is refused', async (t) => {
  await refusedWith(
    t,
    (r) => idp.response(person('mallory@corp.example', r.id), 'none'),
    /FAILED_TO_VERIFY_SIGNATURE/,
  );
});

test.serial('attack: an assertion for another audience is refused', async (t) => {
  await refusedWith(
    t,
    (r) =>
      idp.response({
        ...person('mallory@corp.example', r.id),
        audience: 'https://other-sp.example/metadata',
      }),
    /audience/,
  );
});

test.serial('attack: an assertion for another recipient is refused', async (t) => {
  await refusedWith(
    t,
    (r) =>
      idp.response({
        ...person('mallory@corp.example', r.id),
        recipient: `${daemon.url}/auth/saml/strict/acs`,
      }),
    /recipient|destination/,
  );
});

test.serial('attack: an expired assertion is refused', async (t) => {
  const past = Date.now() - 3_600_000;
  await refusedWith(
    t,
    (r) =>
      idp.response({
        ...person('mallory@corp.example', r.id),
        notBefore: new Date(past - 600_000),
        notOnOrAfter: new Date(past),
      }),
    /ERR_SUBJECT_UNCONFIRMED|expired/,
  );
});

test.serial('attack: a response to another request (InResponseTo) is refused', async (t) => {
  await refusedWith(
    t,
    () => idp.response(person('mallory@corp.example', '_not-the-request-this-sign-in-sent')),
    /InResponseTo/,
  );
});

test.serial(
  'attack: a replayed assertion is refused, reposted as is or answering a new request',
  async (t) => {
    const browser = new Browser();
    const request = await startSignIn(browser, 'corp');
    const assertionId = '_replayed-assertion-0001';
    const response = await idp.response({
      ...person('grace.hopper@corp.example', request.id),
      assertionId,
    });
    t.is((await postToAcs(browser, 'corp', response, request.relayState)).status, 303);
    const reposted = await postToAcs(new Browser(), 'corp', response, request.relayState);
    t.is(reposted.status, 400, 'the flow it answered is used up');
    await refusedWith(
      t,
      (r) => idp.response({ ...person('grace.hopper@corp.example', r.id), assertionId }),
      /replay/,
    );
  },
);
