// Lock-out after repeated failures: `maxFailures` wrong passwords in a row lock the login
// for `lockoutMinutes`; a success clears the count. Pure, so the rule is tested on its own.

export interface LockoutPolicy {
  maxFailures: number;
  lockoutMinutes: number;
}

export interface FailureState {
  failures: number;
  lockedUntil: Date | null;
}

export function isLocked(state: FailureState | null, now: Date): boolean {
  return state?.lockedUntil != null && state.lockedUntil.getTime() > now.getTime();
}

/** The state after one more failure: the count grows, and at the limit the login is locked. */
export function afterFailure(
  state: FailureState | null,
  policy: LockoutPolicy,
  now: Date,
): FailureState {
  const failures = (isLocked(state, now) || !state ? 0 : state.failures) + 1;
  if (failures >= policy.maxFailures)
    return { failures: 0, lockedUntil: new Date(now.getTime() + policy.lockoutMinutes * 60_000) };
  return { failures, lockedUntil: null };
}
