import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { tempDir } from '../helpers/daemon.ts';
import { configSchema } from '../../src/config/config-schema.ts';
import { LINK_KEY_FILE, loadLinkKey } from '../../src/invitations/link-key.ts';
import { linkSealer } from '../../src/invitations/link-sealer.ts';

const token = `inv_${randomBytes(32).toString('base64url')}`;

test('a sealed link opens under its key only, and altered bytes open to nothing', (t) => {
  const key = randomBytes(32);
  const sealed = linkSealer(key).seal(token);
  t.false(sealed.includes(Buffer.from(token)), 'the token is not stored in clear');
  t.is(linkSealer(key).open(sealed), token);
  t.not(
    linkSealer(key).seal(token).toString('hex'),
    sealed.toString('hex'),
    'a fresh IV each time',
  );
  t.is(linkSealer(randomBytes(32)).open(sealed), null);
  const altered = Buffer.from(sealed);
  altered[altered.length - 1]! ^= 1;
  t.is(linkSealer(key).open(altered), null);
  t.is(linkSealer(key).open(Buffer.alloc(8)), null);
  t.throws(() => linkSealer(randomBytes(16)), { message: /must be 32 bytes/ });
});

test('the key file is made once in the data directory, 0600, and read back the same', (t) => {
  const dataDir = path.join(tempDir('provisiond-link-key-'), 'data');
  const config = configSchema.parse({ database: { dataDir } });
  const first = loadLinkKey(config);
  const file = path.join(dataDir, LINK_KEY_FILE);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.deepEqual(loadLinkKey(config), first);
  t.is(
    linkSealer(loadLinkKey(config)).open(linkSealer(first).seal(token)),
    token,
    'a restart opens the links sealed before it',
  );
  writeFileSync(file, 'not a key\n');
  t.throws(() => loadLinkKey(config), { message: /does not hold a 32-byte key/ });
});

test('invitations.linkKey is read by reference, as hex or base64, and refused otherwise', (t) => {
  const dir = tempDir('provisiond-link-key-');
  const key = randomBytes(32);
  const file = path.join(dir, 'link.key');
  for (const text of [key.toString('hex'), key.toString('base64'), `${key.toString('base64')}\n`]) {
    writeFileSync(file, text);
    t.deepEqual(
      loadLinkKey(
        configSchema.parse({
          database: { dataDir: path.join(dir, 'unused') },
          invitations: { linkKey: { file } },
        }),
      ),
      key,
    );
  }
  t.throws(
    () => statSync(path.join(dir, 'unused')),
    undefined,
    'no key file is made when the key is configured',
  );
  writeFileSync(file, 'c2hvcnQ=');
  t.throws(() => loadLinkKey(configSchema.parse({ invitations: { linkKey: { file } } })), {
    message: /invitations\.linkKey: must hold 32 random bytes/,
  });
  t.throws(() => configSchema.parse({ invitations: { linkKey: 'inline-secret' } }));
});
