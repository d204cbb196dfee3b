import type { IncomingMessage } from 'node:http';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { AppContext } from '../../app-context.ts';
import { ValidationError } from '../../errors.ts';
import {
  type InputLimits,
  decodeComponent,
  documentProblem,
  isUtf8,
  textProblem,
} from '../../input/text-rules.ts';

// Every router's first line of defence: the URL, the body's framing and the parsed body are
// checked once here, so that no use case ever sees a NUL, invalid UTF-8, a runaway depth or a
// megabyte string. A refusal is a ValidationError (400, naming the field) or a 415, mapped to
// problem+json or a SCIM error by the router's own error handler; nothing is written.

/** The limits the configuration sets for every request. */
export const inputLimits = (ctx: AppContext): InputLimits => ({
  maxDepth: ctx.config.server.maxNestingDepth,
  maxStringLength: ctx.config.server.maxStringLength,
});

/** A 415: the body is framed in a way the daemon does not read. */
class UnsupportedMediaError extends Error {
  readonly status = 415;
  readonly expose = true;
}

const ENCODINGS = new Set(['identity', 'gzip', 'deflate', 'br']);
const CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

function componentProblem(raw: string, field: string, limits: InputLimits): ValidationError | null {
  const decoded = decodeComponent(raw);
  if (decoded === null) return ValidationError.field(field, 'is not valid percent-encoded UTF-8');
  const problem = textProblem(decoded, limits.maxStringLength);
  return problem ? ValidationError.field(field, problem) : null;
}

/** The first problem of an application/x-www-form-urlencoded string (a query or a form body). */
function pairsProblem(raw: string, fallback: string, limits: InputLimits): ValidationError | null {
  for (const pair of raw.replace(/\+/g, ' ').split('&')) {
    const at = pair.indexOf('=');
    const rawKey = at === -1 ? pair : pair.slice(0, at);
    const field = decodeComponent(rawKey) || fallback;
    const problem =
      componentProblem(rawKey, field, limits) ??
      (at === -1 ? null : componentProblem(pair.slice(at + 1), field, limits));
    if (problem) return problem;
  }
  return null;
}

function pathProblem(pathname: string, limits: InputLimits): ValidationError | null {
  for (const segment of pathname.split('/')) {
    const problem = componentProblem(segment, 'path', limits);
    if (problem) return problem;
  }
  return null;
}

/** Refuses a URL with invalid percent-encoded UTF-8 or control characters, and unsupported framing. */
export function requestGuard(limits: InputLimits): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const url = req.originalUrl;
    const queryAt = url.indexOf('?');
    const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
    const problem =
      pathProblem(pathname, limits) ??
      (queryAt === -1 ? null : pairsProblem(url.slice(queryAt + 1), 'query', limits));
    if (problem) return next(problem);
    const encodings = (req.get('content-encoding') ?? 'identity')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean);
    const unsupported = encodings.find((e) => !ENCODINGS.has(e));
    if (unsupported)
      return next(
        new UnsupportedMediaError(
          `Content-Encoding "${unsupported}" is not supported; send identity, gzip, deflate or br`,
        ),
      );
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.get('content-type') ?? '')?.[1];
    if (charset !== undefined && !CHARSETS.has(charset.toLowerCase()))
      return next(
        new UnsupportedMediaError(`charset "${charset}" is not supported; send the body as UTF-8`),
      );
    next();
  };
}

function utf8Body(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw ValidationError.field('body', 'is not valid UTF-8');
}

function inspectParsed(limits: InputLimits): RequestHandler {
  return (req, _res, next) => {
    const issue = documentProblem(req.body, limits);
    next(issue ? new ValidationError([issue]) : undefined);
  };
}

/** express.json with the body checked as strict UTF-8 before parsing and as a document after. */
export function jsonBody(
  limits: InputLimits,
  options: { limit: string | number; type?: string[] | ((req: IncomingMessage) => boolean) },
): RequestHandler[] {
  return [express.json({ ...options, verify: utf8Body }), inspectParsed(limits)];
}

/** express.urlencoded with every field strictly percent-decoded and checked. */
export function formBody(
  limits: InputLimits,
  options: { limit: string | number },
): RequestHandler[] {
  return [
    express.urlencoded({
      ...options,
      extended: false,
      verify: (_req: unknown, _res: unknown, body: Buffer) => {
        utf8Body(undefined, undefined, body);
        const problem = pairsProblem(body.toString('utf8'), 'body', limits);
        if (problem) throw problem;
      },
    }),
    inspectParsed(limits),
  ];
}
