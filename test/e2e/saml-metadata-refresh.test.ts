import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Browser } from '../helpers/browser.ts';
import { type DaemonProcess, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { readAuthnRequest, startSamlIdp, type TestIdp } from '../helpers/saml-idp.ts';

// The identity provider rolls its signing certificate while the daemon runs: the first response
// signed with the new key makes the daemon read the metadata again and accept it, without a
// restart; a forged response right after does not make it read the metadata again.

const dir = tempDir('provisiond-saml-refresh-');
const env = { PROVISIOND_DATA_DIR: path.join(dir, 'data') };
let idp: TestIdp;
let daemon: DaemonProcess;

test.before(async () => {
  idp = await startSamlIdp(dir);
  const config = path.join(dir, 'provisiond.yaml');
  writeFileSync(
    config,
    `sources:
  - { name: builtin, type: builtin }
  - name: corp
    type: saml
    idpMetadata: { url: "${idp.metadataUrl}" }
    autoRegister: true
`,
  );
  Object.assign(env, { PROVISIOND_CONFIG: config });
  daemon = await startDaemonProcess(env);
});

test.after.always(async () => {
  await daemon?.stop();
  await idp?.close();
});

/** A whole sign-in of this login; the ACS's answer. */
async function signIn(nameId: string, signed: 'assertion' | 'none' = 'assertion') {
  const browser = new Browser();
  const started = await browser.get(`${daemon.url}/auth/saml/corp/login`);
  if (started.status !== 303 || !started.location)
    throw new Error(`login did not redirect: ${started.status} ${started.text}`);
  const request = readAuthnRequest(started.location);
  const response = await idp.response(
    {
      nameId,
      audience: `${daemon.url}/auth/saml/corp/metadata`,
      recipient: `${daemon.url}/auth/saml/corp/acs`,
      inResponseTo: request.id,
      attributes: { email: nameId },
    },
    signed,
  );
  const answer = await browser.post(`${daemon.url}/auth/saml/corp/acs`, {
    SAMLResponse: response,
    RelayState: request.relayState,
  });
  const session = JSON.parse((await browser.get(`${daemon.url}/auth/session`)).text);
  return { status: answer.status, signedIn: session.signedIn as boolean, text: answer.text };
}

test.serial('a rolled IdP certificate is picked up at the first response it signs', async (t) => {
  const before = await signIn('ada@corp.example');
  t.true(before.signedIn, before.text);
  const reads = idp.metadataRequests();
  t.true(reads >= 1);

  idp.rotateKey();
  const after = await signIn('grace@corp.example');
  t.is(after.status, 303, `${after.text}\n${daemon.output().slice(-2000)}`);
  t.true(after.signedIn, 'signed in with the new key, no restart');
  t.is(idp.metadataRequests(), reads + 1, 'the metadata was read once more');

  const forged = await signIn('mallory@corp.example', 'none');
  t.is(forged.status, 401);
  t.false(forged.signedIn);
  t.is(idp.metadataRequests(), reads + 1, 'a failure right after does not read it again');
});
