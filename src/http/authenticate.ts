import type { NextFunction, Request, Response } from 'express';
import { LOCAL_ADMIN, type Scope } from '../access/actor.ts';
import type { AppContext } from '../app-context.ts';
import { UnauthorizedError } from '../errors.ts';
import { authenticateApiKey } from '../keys/api-keys.ts';
import { findOrganization } from '../orgs/organizations.ts';

// Two ways in. Over TCP, an API key as a bearer token decides the organization and the access
// (Editor or Viewer). Over the daemon's local socket — a file only the daemon's owner can open —
// the caller is the local administrator, in the organization named by a header or the default.

export type Channel = 'tcp' | 'local';

export const ORG_HEADER = 'x-provisiond-organization';

export function scopeOf(res: Response): Scope {
  return res.locals.scope as Scope;
}

export function authenticate(ctx: AppContext, channel: Channel) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (channel === 'local') {
      const ref = req.get(ORG_HEADER);
      const orgId = ref ? (await findOrganization(ctx.database.knex, ref)).id : ctx.defaultOrgId;
      res.locals.scope = { orgId, actor: LOCAL_ADMIN } satisfies Scope;
      next();
      return;
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('send an API key as "Authorization: Bearer <secret>"');
    res.locals.scope = await authenticateApiKey(ctx.database.knex, match[1]!, 'api');
    next();
  };
}
