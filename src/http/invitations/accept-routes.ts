import { Router } from 'express';
import { formBody, inputLimits, jsonBody } from '../input/request-guard.ts';
import type { AppContext } from '../../app-context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { acceptBuiltIn, openInvitation } from '../../invitations/invitation-acceptance.ts';
import { findOrganization } from '../../orgs/organizations.ts';
import { languageOf, wantsJson } from '../auth/refusals.ts';
import { startSession } from '../auth/session-cookie.ts';
import { enterpriseButtons } from '../auth/source-buttons.ts';
import { csrfToken, formCsrfGuard } from '../csrf/csrf-guard.ts';
import {
  type InvitationView,
  acceptedPage,
  deadInvitationPage,
  invitationPage,
} from './accept-pages.ts';

// GET /invitations/accept?token=… shows the invitation; POST accepts it with the built-in form
// (or JSON). A link that opens nothing answers 404 with a page that says so, whatever the reason,
// so that a link cannot be probed for which invitations exist.

async function viewOf(ctx: AppContext, token: string): Promise<InvitationView | null> {
  const row = await openInvitation(ctx.database.knex, null, token);
  if (!row) return null;
  const org = await findOrganization(ctx.database.knex, row.org_id);
  const created = row.username && !row.username.startsWith('pending.') ? row.username : null;
  return {
    organization: org.name,
    inviter: row.invited_by,
    role: row.role_name,
    username: created,
    email: row.email,
    emailFixed: row.must_use_invited_email,
    organizationLoginsOnly: row.mode === 'organization-logins',
  };
}

export function acceptRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use(
    '/invitations',
    formBody(inputLimits(ctx), { limit: '64kb' }),
    jsonBody(inputLimits(ctx), { limit: '64kb' }),
    formCsrfGuard(ctx),
  );

  router.get('/invitations/accept', async (req, res) => {
    const lang = languageOf(req);
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const view = await viewOf(ctx, token);
    res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer');
    if (wantsJson(req)) {
      if (!view) throw new NotFoundError('invitation', 'link');
      res.json(view);
      return;
    }
    if (!view) return res.status(404).type('html').send(deadInvitationPage(lang));
    res
      .type('html')
      .send(invitationPage(lang, csrfToken(ctx, req, res), token, view, enterpriseButtons(ctx)));
  });

  router.post('/invitations/accept', async (req, res) => {
    const lang = languageOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (key: string) =>
      typeof body[key] === 'string' ? (body[key] as string) : undefined;
    const token = text('token') ?? '';
    res.set('Cache-Control', 'no-store');
    try {
      const accepted = await acceptBuiltIn(
        { db: ctx.database.knex, hasher: ctx.hasher },
        {
          token,
          username: text('username'),
          password: text('password') ?? '',
          email: text('email'),
        },
      );
      // Sessions belong to the daemon's organization; an invitee of another one signs in there.
      if (accepted.orgId === ctx.defaultOrgId)
        await startSession(ctx, res, {
          memberId: accepted.memberId,
          source: 'builtin',
          mustChangePassword: false,
        });
      if (wantsJson(req)) {
        res
          .status(201)
          .json({ accepted: true, member: { id: accepted.memberId, username: accepted.username } });
        return;
      }
      res.status(201).type('html').send(acceptedPage(lang, accepted.username));
    } catch (error) {
      if (wantsJson(req)) throw error;
      if (error instanceof NotFoundError)
        return res.status(404).type('html').send(deadInvitationPage(lang));
      if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
      const view = await viewOf(ctx, token);
      if (!view) return res.status(404).type('html').send(deadInvitationPage(lang));
      const messages =
        error instanceof ValidationError
          ? error.issues.map((i) => `${i.field}: ${i.message}`)
          : [error.message];
      const values = { username: text('username') ?? '', email: text('email') ?? '' };
      res
        .status(error instanceof ConflictError ? 409 : 400)
        .type('html')
        .send(
          invitationPage(
            lang,
            csrfToken(ctx, req, res),
            token,
            view,
            enterpriseButtons(ctx),
            messages,
            values,
          ),
        );
    }
  });
  return router;
}
