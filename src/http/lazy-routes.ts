import type { NextFunction, Request, RequestHandler, Response } from 'express';

// Route modules imported on their first request. A CLI command serves one request on a private
// socket: it should load the routes of that request, not the whole API (every route module pulls
// in its use cases). The daemon loads them all before it takes requests.

/** A handler whose module is imported on first use; `load` imports it now. */
export interface LazyHandler extends RequestHandler {
  load(): Promise<RequestHandler>;
}

export function onFirstUse(importHandler: () => Promise<RequestHandler>): LazyHandler {
  let loading: Promise<RequestHandler> | undefined;
  // Once imported, requests go straight to the handler, without a promise each.
  let loaded: RequestHandler | undefined;
  const load = () => {
    loading ??= importHandler().then((handler) => {
      loaded = handler;
      return handler;
    });
    return loading;
  };
  const handler = (req: Request, res: Response, next: NextFunction) => {
    if (loaded) {
      loaded(req, res, next);
      return;
    }
    load().then((imported) => imported(req, res, next), next);
  };
  return Object.assign(handler, { load });
}

/**
 * Dispatches on the first segment of the path (`members` for `/members/42/enable`) to the handlers
 * registered for it, in order, so that a request loads only its own route modules. A segment
 * nobody registered passes on at once.
 */
export function bySegment(
  table: ReadonlyArray<readonly [segment: string, handler: RequestHandler]>,
): RequestHandler {
  const bySegmentName = new Map<string, RequestHandler[]>();
  for (const [segment, handler] of table)
    bySegmentName.set(segment, [...(bySegmentName.get(segment) ?? []), handler]);
  return (req: Request, res: Response, next: NextFunction) => {
    const handlers = bySegmentName.get(req.path.split('/')[1] ?? '') ?? [];
    let index = 0;
    const step = (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      const current = handlers[index++];
      if (current) current(req, res, step);
      else next();
    };
    step();
  };
}
