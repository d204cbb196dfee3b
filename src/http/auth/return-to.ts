import type { Request } from 'express';

// Where the sign-in page sends the browser back after signing in: the console hands over with
// ?returnTo=/console/…. Only a console path of this daemon is followed, so that the parameter
// cannot send anyone to another site.

const CONSOLE_PATH = /^\/console(?:[/?#]|$)/;

export function returnToOf(req: Request): string | undefined {
  const fromQuery = req.query.returnTo;
  const fromBody = (req.body as Record<string, unknown> | undefined)?.returnTo;
  const value = typeof fromQuery === 'string' ? fromQuery : fromBody;
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  return CONSOLE_PATH.test(value) && !value.includes('\\') ? value : undefined;
}
