import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

// A CSRF token is the HMAC, under a key of the daemon's, of a random value the browser holds in
// an HttpOnly cookie. A page or script of the daemon's own origin reads the token (a form's hidden
// field, GET /api/v1/me); another site can neither read it nor compute it, and a cookie planted
// from a sibling domain does not help without the key. The cookie's value is renewed at every
// sign-in and sign-out, so a token does not outlive the session it was given for.

const KEY_INFO = 'provisiond csrf token';

/** The CSRF key, derived from the daemon's link key (the same on every daemon sharing a database). */
export function deriveCsrfKey(linkKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', linkKey, Buffer.alloc(0), KEY_INFO, 32));
}

export function newCsrfSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function isCsrfSecret(value: string | undefined): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

export function csrfTokenFor(key: Buffer, secret: string): string {
  return createHmac('sha256', key).update(secret).digest('base64url');
}

export function csrfTokenMatches(key: Buffer, secret: string, token: string): boolean {
  const expected = Buffer.from(csrfTokenFor(key, secret));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Whether the browser says the request came from another site. Sec-Fetch-Site (sent by every
 * current browser) must be same-origin (or none: typed by the user); Origin, when present, must
 * be one of ours. Non-browser clients send neither and rely on the token alone.
 */
export function crossSiteReason(
  headers: { origin?: string | undefined; secFetchSite?: string | undefined },
  allowedOrigins: readonly string[],
): string | null {
  const site = headers.secFetchSite?.toLowerCase();
  if (site && site !== 'same-origin' && site !== 'none')
    return `the request came from another site (Sec-Fetch-Site: ${site})`;
  const origin = headers.origin;
  // A page served with Referrer-Policy: no-referrer (the setup and invitation pages, whose URL
  // holds a token) makes the browser send "Origin: null" with its own form; the browser's
  // Sec-Fetch-Site says where the request really came from. An origin that is named is still
  // checked: no browser names another origin for a same-origin request.
  if (site === 'same-origin' && origin === 'null') return null;
  if (origin !== undefined && !allowedOrigins.includes(origin.toLowerCase()))
    return `the request came from another origin (${origin})`;
  return null;
}
