import type { Request, Response } from 'express';
import { etagOf } from '../../scim/user-document.ts';

type Json = Record<string, unknown>;

/** The media type of every answer; a charset parameter only for a client that asks for one. */
function contentType(req: Request): string {
  const asked = /charset\s*=/i.test(req.get('accept') ?? '') || req.get('accept-charset');
  return asked ? 'application/scim+json; charset=utf-8' : 'application/scim+json';
}

export function send(res: Response, status: number, body?: Json, version?: number): void {
  if (version !== undefined) res.set('ETag', etagOf(version));
  if (body === undefined) {
    res.status(status).end();
    return;
  }
  // A Buffer, so that Express adds no charset of its own.
  res
    .status(status)
    .set('Content-Type', contentType(res.req))
    .send(Buffer.from(JSON.stringify(body)));
}
