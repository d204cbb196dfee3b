import type { Knex } from 'knex';
import { SignInDeniedError } from '../errors.ts';
import type { PasswordSource } from '../plugin-api.ts';
import type { LockoutPolicy } from './lockout-policy.ts';
import { isLocked } from './lockout-policy.ts';
import { clearFailures, failureState, recordFailure } from './lockout-store.ts';

// Sign-in by login and password through every source that can check a password (built-in
// accounts, and directories by bind when their plugin implements authenticate), in the order of
// the configuration. A locked login is refused before any password is checked.

export interface PasswordSignInDeps {
  db: Knex;
  orgId: string;
  sources: PasswordSource[];
  lockout: LockoutPolicy;
}

export interface PasswordSignIn {
  memberId: string;
  source: string;
  mustChangePassword: boolean;
}

export async function signInWithPassword(
  deps: PasswordSignInDeps,
  login: string,
  password: string,
): Promise<PasswordSignIn> {
  const state = await failureState(deps.db, deps.orgId, login);
  if (isLocked(state, new Date())) {
    throw new SignInDeniedError(
      'locked',
      'too many failed sign-ins: this login is locked for a while',
      { lockedUntil: state!.lockedUntil!.toISOString() },
    );
  }
  let disabled = false;
  for (const source of deps.sources) {
    const result = await source.authenticate(login, password);
    if (result.ok) {
      await clearFailures(deps.db, deps.orgId, login);
      return {
        memberId: result.memberId,
        source: source.name,
        mustChangePassword: result.mustChangePassword,
      };
    }
    if (result.reason === 'disabled') disabled = true;
    // A wrong password at one source does not stop the others: the same login may live in a directory.
  }
  const next = await recordFailure(deps.db, deps.orgId, login, deps.lockout);
  if (disabled) throw new SignInDeniedError('disabled', 'this account is disabled');
  if (next.lockedUntil)
    throw new SignInDeniedError(
      'locked',
      'too many failed sign-ins: this login is now locked for a while',
      { lockedUntil: next.lockedUntil.toISOString() },
    );
  throw new SignInDeniedError('wrong-credentials', 'the login or the password is wrong');
}
