import type { Request, Response } from 'express';

// The session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site posts,
// which covers sign-out and password change against forged forms, yet sent when the identity
// provider redirects back), Secure when the public URL is https.

export const SESSION_COOKIE = 'pvd_session';
/** Binds an OIDC flow to the browser that started it (login CSRF): its value is the flow id. */
export const FLOW_COOKIE = 'pvd_flow';
/** The random value CSRF tokens are computed from (src/http/csrf). */
export const CSRF_COOKIE = 'pvd_csrf';

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name)
      return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}

export function setCookie(
  res: Response,
  name: string,
  value: string,
  options: { secure: boolean; maxAgeSeconds: number; path?: string },
): void {
  const attributes = [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path ?? '/'}`,
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
  ];
  if (options.secure) attributes.push('Secure');
  res.append('Set-Cookie', attributes.join('; '));
}

export function clearCookie(
  res: Response,
  name: string,
  options: { secure: boolean; path?: string },
): void {
  setCookie(res, name, '', { ...options, maxAgeSeconds: 0 });
}
