// A run that would disable or delete more than the source's threshold stops as
// `held` for an administrator. Both limits apply: more than `percent` of the source's linked
// members, or more than `max` members, holds the run.

export interface GuardLimits {
  percent: number;
  max: number;
}

export function exceedsGuard(
  removals: number,
  linkedMembers: number,
  limits: GuardLimits,
): boolean {
  if (removals === 0) return false;
  return removals > limits.max || removals > (linkedMembers * limits.percent) / 100;
}
