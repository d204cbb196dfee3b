import type { NextFunction, Request, Response } from 'express';
import { DomainError, RateLimitedError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';

// RFC 9457 problem details for every error of the admin API.

const STATUS: Record<DomainError['kind'], number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  limit: 409,
  'rate-limited': 429,
  unavailable: 503,
};

const TITLE: Record<DomainError['kind'], string> = {
  validation: 'The request is not valid',
  unauthorized: 'Authentication is required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  conflict: 'Conflict',
  limit: 'Limit reached',
  'rate-limited': 'Too many attempts',
  unavailable: 'Service unavailable',
};

export function sendProblem(
  res: Response,
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    // The status is the HTTP status number whatever the details hold (RFC 9457).
    .send(JSON.stringify({ type: 'about:blank', title, detail, ...extra, status }));
}

export function problemHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (error instanceof DomainError) {
      const extra: Record<string, unknown> = {
        type: `urn:provisiond:problem:${error.kind}`,
        ...error.details,
        instance: req.originalUrl.split('?')[0],
      };
      if (error.kind === 'unauthorized') res.set('WWW-Authenticate', 'Bearer realm="provisiond"');
      if (error instanceof RateLimitedError)
        res.set('Retry-After', String(error.retryAfterSeconds));
      sendProblem(res, STATUS[error.kind], TITLE[error.kind], error.message, extra);
      return;
    }
    const status = (error as { status?: number; type?: string }).status;
    if ((error as { type?: string }).type === 'entity.parse.failed') {
      sendProblem(res, 400, 'The request is not valid', 'the body is not valid JSON', {
        type: 'urn:provisiond:problem:validation',
      });
      return;
    }
    if ((error as { type?: string }).type === 'entity.too.large') {
      sendProblem(res, 413, 'Payload too large', 'the body is larger than the daemon accepts');
      return;
    }
    if (status && status >= 400 && status < 500) {
      sendProblem(res, status, 'Bad request', (error as Error).message);
      return;
    }
    log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    sendProblem(res, 500, 'Internal error', 'the daemon failed to handle the request; see its log');
  };
}
