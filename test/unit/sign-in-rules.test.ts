import test from 'ava';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema } from '../../src/config/config-schema.ts';
import { chooseLanguage } from '../../src/http/auth/pages/language.ts';
import { escapeHtml } from '../../src/http/auth/pages/html.ts';
import { invitationRefusal } from '../../src/sign-in/invitation-hook.ts';
import { afterFailure, isLocked } from '../../src/sign-in/lockout-policy.ts';
import { signInUrls } from '../../src/sources/source-urls.ts';
import { refusalOf } from '../../plugins/saml/saml-checks.ts';

test('the page language: lang parameter, then Accept-Language by quality, then English', (t) => {
  t.is(chooseLanguage('de', 'fr'), 'de');
  t.is(chooseLanguage('xx', 'fr-CH, de;q=0.8'), 'fr');
  t.is(chooseLanguage(undefined, 'es, de;q=0.5, fr;q=0.9'), 'fr');
  t.is(chooseLanguage(undefined, 'fr;q=0, de;q=0.1'), 'de');
  t.is(chooseLanguage(undefined, undefined), 'en');
  t.is(chooseLanguage(['fr'], 'es'), 'en');
  t.is(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('lock-out: the limit of failures in a row locks for a while; the lock then starts a new count', (t) => {
  const policy = { maxFailures: 3, lockoutMinutes: 10 };
  const now = new Date('2026-11-21T10:00:00Z');
  let state = afterFailure(null, policy, now);
  t.deepEqual(state, { failures: 1, lockedUntil: null, lockouts: 0 });
  state = afterFailure(afterFailure(state, policy, now), policy, now);
  t.deepEqual(state.lockedUntil, new Date('2026-11-21T10:10:00Z'));
  t.true(isLocked(state, now));
  t.false(isLocked(state, new Date('2026-11-21T10:10:00Z')));
  t.deepEqual(afterFailure(state, policy, new Date('2026-11-21T10:11:00Z')), {
    failures: 1,
    lockedUntil: null,
    lockouts: 1,
  });
});

test('lock-out back-off: each lock in a row lasts twice as long, up to the ceiling', (t) => {
  const policy = { maxFailures: 2, lockoutMinutes: 1, maxLockoutMinutes: 5 };
  let at = new Date('2026-11-21T10:00:00Z');
  const lengths: number[] = [];
  let state = afterFailure(null, policy, at);
  for (let lock = 0; lock < 5; lock++) {
    state = afterFailure(state, policy, at);
    lengths.push((state.lockedUntil!.getTime() - at.getTime()) / 60_000);
    at = new Date(state.lockedUntil!.getTime() + 1000);
    state = afterFailure(state, policy, at);
  }
  t.deepEqual(lengths, [1, 2, 4, 5, 5]);
  // Without a ceiling every lock lasts the same.
  const flat = { maxFailures: 1, lockoutMinutes: 3 };
  const again = afterFailure(
    afterFailure(null, flat, at),
    flat,
    new Date(at.getTime() + 4 * 60_000),
  );
  t.is(again.lockedUntil!.getTime() - at.getTime(), 7 * 60_000);
});

test('invitation rules: organization logins only; the email, when sent, must be the invited one', (t) => {
  const invitation = {
    id: 'i',
    email: 'Ada@Example.org',
    mode: 'organization-logins' as const,
    memberId: 'm',
  };
  t.is(
    invitationRefusal(invitation, { enterprise: false, email: 'ada@example.org' }),
    'invitation-organization-logins',
  );
  t.is(
    invitationRefusal(invitation, { enterprise: true, email: 'eve@example.org' }),
    'invitation-email-mismatch',
  );
  t.is(invitationRefusal(invitation, { enterprise: true, email: ' ADA@example.org ' }), null);
  t.is(invitationRefusal(invitation, { enterprise: true, email: undefined }), null);
  t.is(
    invitationRefusal(
      { ...invitation, mode: 'any-account' },
      { enterprise: false, email: undefined },
    ),
    null,
  );
});

test('SAML checks left to the SP: audience, recipient, destination, InResponseTo, validity window', (t) => {
  const now = new Date('2026-11-21T10:00:00Z');
  const expected = {
    audience: 'sp',
    acsUrl: 'https://d/acs',
    requestId: '_r',
    now,
    clockSkewSeconds: 60,
  };
  const good = {
    assertionId: '_a',
    audiences: ['sp'],
    recipient: 'https://d/acs',
    destination: 'https://d/acs',
    inResponseTo: '_r',
    notBefore: '2026-11-21T09:59:00Z',
    notOnOrAfter: '2026-11-21T10:05:00Z',
  };
  t.is(refusalOf(good, expected), null);
  t.regex(refusalOf({ ...good, assertionId: undefined }, expected)!, /ID/);
  t.regex(refusalOf({ ...good, audiences: ['other'] }, expected)!, /audience/);
  t.regex(refusalOf({ ...good, recipient: 'https://d/other' }, expected)!, /recipient/);
  t.regex(refusalOf({ ...good, destination: 'https://evil/acs' }, expected)!, /destination/);
  t.is(
    refusalOf({ ...good, destination: undefined }, expected),
    null,
    'Destination is optional in a response',
  );
  t.regex(
    refusalOf({ ...good, inResponseTo: undefined }, expected)!,
    /InResponseTo/,
    'IdP-initiated responses are refused',
  );
  t.regex(refusalOf({ ...good, notOnOrAfter: undefined }, expected)!, /NotOnOrAfter/);
  t.regex(refusalOf({ ...good, notBefore: '2026-11-21T10:02:00Z' }, expected)!, /not valid yet/);
  t.is(
    refusalOf({ ...good, notOnOrAfter: '2026-11-21T09:59:30Z' }, expected),
    null,
    'within the clock skew',
  );
  t.regex(refusalOf({ ...good, notOnOrAfter: '2026-11-21T09:58:00Z' }, expected)!, /expired/);
});

test('source configuration: strict per type, errors name the key, secrets by reference; URLs from the public URL', (t) => {
  const issues = (sources: unknown[]) => {
    const result = configSchema.safeParse({ sources });
    return result.success
      ? []
      : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  t.deepEqual(issues([{ name: 'x', type: 'ldapp' }]), [
    'sources.0.type: type must be one of builtin, ldap, saml, oidc',
  ]);
  t.regex(
    issues([
      {
        name: 'o',
        type: 'oidc',
        issuer: 'https://idp.example',
        clientId: 'c',
        clientSecrt: { env: 'S' },
      },
    ])[0]!,
    /^sources\.0: .*clientSecrt/,
  );
  t.deepEqual(
    issues([
      {
        name: 'o',
        type: 'oidc',
        issuer: 'https://idp.example',
        clientId: 'c',
        clientSecret: 'plain-text',
      },
    ]),
    ['sources.0.clientSecret: must be { env: NAME } or { file: PATH }'],
  );
  t.deepEqual(issues([{ name: 's', type: 'saml' }]), [
    'sources.0.idpMetadata: must be { url: URL } or { file: PATH }',
  ]);
  t.deepEqual(
    issues([
      { name: 'a', type: 'builtin' },
      { name: 'a', type: 'builtin' },
    ]),
    ['sources.1.name: the source name "a" is used twice'],
  );
  const parsed = configSchema.parse({
    sources: [
      { name: 's', type: 'saml', idpMetadata: { file: 'idp.xml' } },
      { name: 'o', type: 'oidc', issuer: 'https://idp.example', clientId: 'c' },
    ],
  });
  t.like(parsed.sources[0], { autoRegister: false, linkBy: 'none' });
  t.like(parsed.sources[1], {
    autoRegister: false,
    requireVerifiedEmail: true,
    scopes: ['openid', 'email', 'profile'],
  });
  t.like(configSchema.parse({}).sources[0], { type: 'builtin', allowSelfRegistration: false });
  t.deepEqual(signInUrls('https://id.example.org', { name: 's', type: 'saml' }), {
    login: 'https://id.example.org/auth/saml/s/login',
    callback: 'https://id.example.org/auth/saml/s/acs',
    metadata: 'https://id.example.org/auth/saml/s/metadata',
  });
  t.is(
    signInUrls('https://id.example.org', { name: 'o', type: 'oidc' })?.callback,
    'https://id.example.org/auth/oidc/o/callback',
  );
});

test('the example configuration is valid, with its SAML, OIDC and LDAP sources uncommented too', (t) => {
  const text = readFileSync('config/provisiond.example.yaml', 'utf8');
  const [head, sources] = text.split('\nsources:\n');
  const uncommented = `${head}\nsources:\n${sources!.replace(/^ {2}# (- name| {2})/gm, '  $1')}`;
  const parsed = configSchema.parse(parseYaml(uncommented));
  t.deepEqual(
    parsed.sources.map((s) => s.type),
    ['builtin', 'saml', 'oidc', 'ldap'],
  );
  t.like(parsed.sources[2], { clientSecret: { env: 'OIDC_CLIENT_SECRET' }, autoRegister: false });
});
