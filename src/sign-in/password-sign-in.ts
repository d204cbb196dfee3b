import type { Knex } from 'knex';
import { SignInDeniedError } from '../errors.ts';
import type { AuthenticationResult, PasswordSource } from '../plugin-api.ts';
import type { LockoutPolicy } from './lockout-policy.ts';
import {
  clearFailures,
  forgiveFailure,
  isKnownAddress,
  lockedUntil,
  recordFailure,
  rememberAddress,
} from './lockout-store.ts';

// Sign-in by login and password through every source that can check a password (built-in
// accounts, and directories by bind when their plugin implements authenticate), in the order of
// the configuration.
//
// Brute force is met on three keys, none of which lets a stranger lock a member out of their own
// address: the login at one client address (the tight limit), the client address across logins
// (against spraying, with a back-off), and the login from addresses it has not signed in from
// lately (a slower, global limit). The attempt is counted before any source is asked, so that a
// directory that fails or hangs cannot skip the count.

export interface SignInThrottle {
  /** Failures of one login from one address. */
  perLoginAndAddress: LockoutPolicy;
  /** Failures of one login from the addresses it has not signed in from in 30 days. */
  perLogin: LockoutPolicy;
  /** Failures from one client address, whatever the login. */
  perAddress: LockoutPolicy;
}

export interface PasswordSignInDeps {
  db: Knex;
  orgId: string;
  sources: PasswordSource[];
  throttle: SignInThrottle;
}

export interface PasswordSignIn {
  memberId: string;
  source: string;
  mustChangePassword: boolean;
}

const locked = (until: Date, now = false) =>
  new SignInDeniedError(
    'locked',
    `too many failed sign-ins: this login is ${now ? 'now ' : ''}locked for a while`,
    { lockedUntil: until.toISOString() },
  );

export async function signInWithPassword(
  deps: PasswordSignInDeps,
  login: string,
  password: string,
  address: string,
): Promise<PasswordSignIn> {
  const { db, orgId, throttle } = deps;
  const keys = {
    pair: `login+address:${login}|${address}`,
    login: `login:${login}`,
    address: `address:${address}`,
  };
  const known = await isKnownAddress(db, orgId, login, address);
  const watched = known ? [keys.pair, keys.address] : [keys.pair, keys.login, keys.address];
  const until = await lockedUntil(db, orgId, watched, new Date());
  if (until) throw locked(until);

  const counted = await Promise.all([
    recordFailure(db, orgId, keys.pair, throttle.perLoginAndAddress),
    recordFailure(db, orgId, keys.login, throttle.perLogin),
    recordFailure(db, orgId, keys.address, throttle.perAddress),
  ]);

  const results: AuthenticationResult[] = [];
  const unreachable: string[] = [];
  for (const source of deps.sources) {
    let result: AuthenticationResult;
    try {
      result = await source.authenticate(login, password);
    } catch {
      // A directory that is down or hangs answers nothing about this password; the others may.
      unreachable.push(source.name);
      continue;
    }
    if (result.ok) {
      await clearFailures(db, orgId, keys.pair, keys.login);
      await forgiveFailure(db, orgId, keys.address);
      await rememberAddress(db, orgId, login, address);
      return {
        memberId: result.memberId,
        source: source.name,
        mustChangePassword: result.mustChangePassword,
      };
    }
    results.push(result);
    // A wrong password at one source does not stop the others: the same login may live in a directory.
  }
  const [pair, anywhere, fromAddress] = counted;
  const lockedNow = [pair, known ? null : anywhere, fromAddress]
    .map((state) => state?.lockedUntil)
    .filter((d): d is Date => d instanceof Date);
  if (lockedNow.length > 0)
    throw locked(new Date(Math.max(...lockedNow.map((d) => d.getTime()))), true);
  const knownSomewhere = results.some((r) => !r.ok && r.reason !== 'unknown-login');
  if (unreachable.length > 0 && !knownSomewhere)
    throw new SignInDeniedError(
      'directory-unavailable',
      `the directory ${unreachable.map((n) => JSON.stringify(n)).join(', ')} cannot be reached; try again later`,
    );
  if (results.some((r) => !r.ok && r.reason === 'disabled'))
    throw new SignInDeniedError('disabled', 'this account is disabled');
  throw new SignInDeniedError('wrong-credentials', 'the login or the password is wrong');
}
