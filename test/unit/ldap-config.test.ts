import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { isLdapSource } from '../../src/config/config-schema.ts';
import { resolveSecret } from '../../src/config/secrets.ts';
import { tempDir } from '../helpers/daemon.ts';

// The LDAP source schema: the issue's example works, and every mistake names its key.

const EXAMPLE = `
sources:
  - name: corp
    type: ldap
    flavor: openldap
    url: ldap://127.0.0.1:3389
    bindDN: cn=admin,dc=example,dc=org
    bindCredentials: { env: CORP_LDAP_PASSWORD }
    users:  { baseDN: "ou=people,dc=example,dc=org", filter: "(objectClass=inetOrgPerson)" }
    groups: { baseDN: "ou=groups,dc=example,dc=org", filter: "(objectClass=groupOfNames)" }
    onUnmatched: create
    onDeleted: disable
`;

function load(text: string) {
  const f = path.join(tempDir('cfg-'), 'provisiond.yaml');
  writeFileSync(f, text);
  return loadConfig({ file: f, env: {} });
}

function problems(text: string): string {
  try {
    load(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

test('the example of the README loads, with the defaults of the flavor', (t) => {
  const [source] = load(EXAMPLE).sources;
  t.true(isLdapSource(source!));
  if (!isLdapSource(source!)) return;
  t.like(source, {
    name: 'corp',
    flavor: 'openldap',
    onUnmatched: 'create',
    onDeleted: 'disable',
    deletionGuard: { percent: 10, max: 500 },
    correlate: ['username'],
  });
  t.is(source.users.attributes.email, 'mail');
});

test('mistakes name the key', (t) => {
  t.regex(problems(EXAMPLE.replace('flavor: openldap', 'flavor: novell')), /sources\.0\.flavor: /);
  t.regex(
    problems(
      EXAMPLE.replace('bindCredentials: { env: CORP_LDAP_PASSWORD }', 'bindCredentials: hunter2'),
    ),
    /sources\.0\.bindCredentials: must be \{ env: NAME \} or \{ file: PATH \}/,
  );
  t.regex(
    problems(EXAMPLE.replace('url: ldap://127.0.0.1:3389', 'url: http://x')),
    /sources\.0\.url: must be ldap:\/\//,
  );
  t.regex(
    problems(EXAMPLE.replace('onDeleted: disable', 'onDeleted: disable\n    onDeletd: delete')),
    /sources\.0: unknown key\(s\) "onDeletd"/,
  );
  t.regex(
    problems(
      EXAMPLE.replace(
        'filter: "(objectClass=inetOrgPerson)"',
        'filter: "objectClass=inetOrgPerson"',
      ),
    ),
    /sources\.0\.users\.filter: must be an LDAP filter/,
  );
  t.regex(
    problems(`${EXAMPLE}    schedule: { full: "every night" }\n`),
    /sources\.0\.schedule\.full: must be a cron expression/,
  );
  t.regex(
    problems(`${EXAMPLE}${EXAMPLE.replace('sources:', '')}`),
    /sources\.1\.name: the source name "corp" is used twice/,
  );
});

test('onUnmatched accepts invite (the invitations feature) and refuses anything else', (t) => {
  const [source] = load(EXAMPLE.replace('onUnmatched: create', 'onUnmatched: invite')).sources;
  t.like(source, { onUnmatched: 'invite' });
  t.regex(
    problems(EXAMPLE.replace('onUnmatched: create', 'onUnmatched: adopt')),
    /sources\.0\.onUnmatched/,
  );
});

test('reinviteAfterExpiry is off by default and only goes with onUnmatched: invite', (t) => {
  t.like(load(EXAMPLE.replace('onUnmatched: create', 'onUnmatched: invite')).sources[0], {
    reinviteAfterExpiry: false,
  });
  const reissuing = EXAMPLE.replace(
    'onUnmatched: create',
    'onUnmatched: invite\n    reinviteAfterExpiry: true',
  );
  t.like(load(reissuing).sources[0], { onUnmatched: 'invite', reinviteAfterExpiry: true });
  t.regex(
    problems(
      EXAMPLE.replace('onUnmatched: create', 'onUnmatched: create\n    reinviteAfterExpiry: true'),
    ),
    /sources\.0\.reinviteAfterExpiry: re-issues the invitations of onUnmatched: invite, but onUnmatched is create/,
  );
  t.regex(
    problems(reissuing.replace('reinviteAfterExpiry: true', 'reinviteAfterExpiry: "yes"')),
    /sources\.0\.reinviteAfterExpiry: /,
  );
});

test('secrets are read from the environment or a file, and a missing one names its reference', (t) => {
  process.env.PROVISIOND_UNIT_SECRET = 's3cret';
  t.is(resolveSecret({ env: 'PROVISIOND_UNIT_SECRET' }), 's3cret');
  const f = path.join(tempDir('sec-'), 'secret');
  writeFileSync(f, 'from-file\n');
  t.is(resolveSecret({ file: f }), 'from-file');
  t.throws(() => resolveSecret({ env: 'PROVISIOND_UNIT_NOT_SET' }), {
    message: /PROVISIOND_UNIT_NOT_SET is not set/,
  });
  t.throws(() => resolveSecret({ file: '/nonexistent/secret' }), {
    message: /cannot read the secret file \/nonexistent\/secret: ENOENT/,
  });
});
