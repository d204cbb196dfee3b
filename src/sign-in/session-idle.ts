// Administrator sessions end after `signIn.adminIdleMinutes` without a request. The last use is
// written at most every quarter of that time (and at most every minute), not on every request.

export function idleExpired(lastSeenAt: Date, now: Date, idleMinutes: number): boolean {
  return now.getTime() - lastSeenAt.getTime() > idleMinutes * 60_000;
}

export function needsTouch(lastSeenAt: Date, now: Date, idleMinutes: number): boolean {
  const every = Math.min(60_000, (idleMinutes * 60_000) / 4);
  return now.getTime() - lastSeenAt.getTime() >= every;
}
