// Lock-out after repeated failures: `maxFailures` wrong passwords in a row lock a key (a login
// at one address, a login anywhere, or a client address) for `lockoutMinutes`; each lock that
// follows another without a success in between lasts twice as long, up to
// `maxLockoutMinutes`. A success clears the count. Pure, so the rule is tested on its own.

export interface LockoutPolicy {
  maxFailures: number;
  lockoutMinutes: number;
  /** The longest a repeated lock-out lasts; without it, every lock lasts lockoutMinutes. */
  maxLockoutMinutes?: number;
}

export interface FailureState {
  failures: number;
  lockedUntil: Date | null;
  /** Lock-outs in a row (for the back-off). */
  lockouts: number;
}

export function isLocked(state: FailureState | null, now: Date): boolean {
  return state?.lockedUntil != null && state.lockedUntil.getTime() > now.getTime();
}

/** The state after one more failure: the count grows, and at the limit the key is locked. */
export function afterFailure(
  state: FailureState | null,
  policy: LockoutPolicy,
  now: Date,
): FailureState {
  const lockouts = state?.lockouts ?? 0;
  const failures = (isLocked(state, now) || !state ? 0 : state.failures) + 1;
  if (failures < policy.maxFailures) return { failures, lockedUntil: null, lockouts };
  const minutes = Math.min(
    policy.lockoutMinutes * 2 ** lockouts,
    Math.max(policy.maxLockoutMinutes ?? policy.lockoutMinutes, policy.lockoutMinutes),
  );
  return {
    failures: 0,
    lockedUntil: new Date(now.getTime() + minutes * 60_000),
    lockouts: lockouts + 1,
  };
}
