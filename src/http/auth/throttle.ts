import type { Request } from 'express';
import type { AppContext } from '../../app-context.ts';
import type { SignInThrottle } from '../../sign-in/password-sign-in.ts';

// The client address and the sign-in limits as the configuration sets them.

/** The client's address: the TCP peer, or what a trusted proxy (server.trustProxy) says it is. */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function signInThrottle(ctx: AppContext): SignInThrottle {
  const c = ctx.config.signIn;
  return {
    perLoginAndAddress: { maxFailures: c.maxFailures, lockoutMinutes: c.lockoutMinutes },
    perLogin: { maxFailures: c.loginMaxFailures, lockoutMinutes: c.loginLockoutMinutes },
    perAddress: {
      maxFailures: c.addressMaxFailures,
      lockoutMinutes: c.addressLockoutMinutes,
      maxLockoutMinutes: c.addressMaxLockoutMinutes,
    },
  };
}
