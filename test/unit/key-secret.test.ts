import test from 'ava';
import { randomUUID } from 'node:crypto';
import { keyIdOf, newKeySecret, tokenMatches } from '../../src/keys/key-secret.ts';

test('a key secret names its key and matches only its own hash', (t) => {
  const id = randomUUID();
  const { token, hash } = newKeySecret(id);
  t.regex(token, /^pvd_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
  t.is(keyIdOf(token), id);
  t.true(tokenMatches(token, hash));
  t.false(tokenMatches(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, hash));
  t.false(tokenMatches(newKeySecret(id).token, hash));
  t.not(hash.toString('hex'), token);
});

test('anything not shaped like a key is refused before any look-up', (t) => {
  t.is(keyIdOf('Bearer x'), null);
  t.is(keyIdOf(''), null);
  t.is(keyIdOf(`pvd_${'0'.repeat(32)}_short`), null);
});
