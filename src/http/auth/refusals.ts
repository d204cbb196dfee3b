import type { Request, Response } from 'express';
import type { SignInDeniedError, SignInRefusal } from '../../errors.ts';
import { sendProblem } from '../problem.ts';
import { chooseLanguage, type Language } from './pages/language.ts';
import { refusalPage } from './pages/sign-in-pages.ts';

// A refused sign-in answers a browser with a page in its language and an API client with
// problem+json; the status says the kind of refusal.

const STATUS: Record<SignInRefusal, number> = {
  'wrong-credentials': 401,
  locked: 429,
  'directory-unavailable': 503,
  disabled: 403,
  'not-allowed': 403,
  'email-required': 403,
  'username-taken': 409,
  'ambiguous-match': 409,
  'invitation-invalid': 403,
  'invitation-email-mismatch': 403,
  'invitation-organization-logins': 403,
  'provider-refused': 401,
  'flow-expired': 400,
  'registration-closed': 404,
};

export function statusOf(refusal: SignInRefusal): number {
  return STATUS[refusal];
}

export function wantsJson(req: Request): boolean {
  if (req.is('application/json')) return true;
  return req.method === 'GET' && req.accepts(['html', 'json']) === 'json';
}

export function languageOf(req: Request): Language {
  return chooseLanguage(req.query.lang, req.get('accept-language'));
}

/** Retry-After on a lock-out (429), for the page and the problem alike. */
export function setRetryAfter(res: Response, error: SignInDeniedError): void {
  if (error.refusal !== 'locked' || typeof error.details.lockedUntil !== 'string') return;
  res.set(
    'Retry-After',
    String(Math.max(1, Math.ceil((Date.parse(error.details.lockedUntil) - Date.now()) / 1000))),
  );
}

export function sendRefusal(
  req: Request,
  res: Response,
  error: SignInDeniedError,
  lang: Language = languageOf(req),
): void {
  const status = STATUS[error.refusal];
  setRetryAfter(res, error);
  if (wantsJson(req)) {
    sendProblem(res, status, 'Sign-in refused', error.message, {
      type: `urn:provisiond:problem:sign-in:${error.refusal}`,
      refusal: error.refusal,
    });
    return;
  }
  res.status(status).type('html').send(refusalPage(lang, error.refusal));
}
