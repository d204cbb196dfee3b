import { type Request, type Response, Router } from 'express';
import type { AppContext } from '../../app-context.ts';
import { NotFoundError, SignInDeniedError } from '../../errors.ts';
import { type RedirectSignIn, SignInRefused, hasRedirectSignIn } from '../../plugin-api.ts';
import { signInEnterprise } from '../../sign-in/enterprise-sign-in.ts';
import { newFlowId, saveFlow, takeFlow } from '../../sign-in/sign-in-flows.ts';
import { FLOW_COOKIE, clearCookie, readCookie, setCookie } from './cookies.ts';
import { chooseLanguage } from './pages/language.ts';
import { returnToOf } from './return-to.ts';
import { languageOf, sendRefusal } from './refusals.ts';
import { isSecure, startSession } from './session-cookie.ts';

// Redirect sign-ins (SAML, OIDC): /auth/{type}/{name}/login sends the browser to the identity
// provider; the provider sends it back to the callback (OIDC `callback`, SAML `acs`); SAML
// sources also publish their SP metadata. The plugin checks the provider's answer; this file
// keeps the flow state, applies the linking policy and opens the session.

const FLOW_SECONDS = 600;

function redirectSource(
  ctx: AppContext,
  type: string,
  name: string,
): {
  signIn: RedirectSignIn;
  policy: { autoRegister: boolean; linkBy: 'none' | 'email' | 'username' };
} {
  const config = ctx.sources.list().find((c) => c.name === name && c.type === type);
  const source = config ? ctx.sources.get(ctx.defaultOrgId, name) : undefined;
  if (!config || !source || !hasRedirectSignIn(source))
    throw new NotFoundError(`${type} source`, name);
  if (config.type !== 'saml' && config.type !== 'oidc')
    throw new NotFoundError(`${type} source`, name);
  return {
    signIn: source.signIn,
    policy: { autoRegister: config.autoRegister, linkBy: config.linkBy },
  };
}

function param(req: Request, name: string): string {
  return String(req.params[name]);
}

export function redirectRoutes(ctx: AppContext): Router {
  const router = Router();
  const db = ctx.database.knex;

  router.get('/auth/:type/:name/metadata', async (req, res) => {
    const { signIn } = redirectSource(ctx, param(req, 'type'), param(req, 'name'));
    if (!signIn.metadata) throw new NotFoundError('metadata of source', param(req, 'name'));
    res.type('application/samlmetadata+xml').send(await signIn.metadata());
  });

  router.get('/auth/:type/:name/login', async (req, res) => {
    const name = param(req, 'name');
    const { signIn } = redirectSource(ctx, param(req, 'type'), name);
    const flow = newFlowId();
    const back = returnToOf(req);
    const started = await signIn.start(flow.id);
    const invitation =
      typeof req.query.invitation === 'string' && req.query.invitation !== ''
        ? req.query.invitation
        : null;
    await saveFlow(db, flow.hash, {
      orgId: ctx.defaultOrgId,
      source: name,
      pending: started.pending,
      invitationToken: invitation,
      // Back through the sign-in page, which forwards a signed-in browser to the console.
      returnTo: `/auth/sign-in?${new URLSearchParams({ lang: languageOf(req), ...(back && { returnTo: back }) })}`,
    });
    if (signIn.callbackMethod === 'GET')
      setCookie(res, FLOW_COOKIE, flow.id, {
        secure: isSecure(ctx),
        maxAgeSeconds: FLOW_SECONDS,
        path: '/auth',
      });
    res.redirect(303, started.redirectUrl);
  });

  const callback = async (req: Request, res: Response) => {
    const name = param(req, 'name');
    const { signIn, policy } = redirectSource(ctx, param(req, 'type'), name);
    if (param(req, 'callback') !== signIn.callbackName || req.method !== signIn.callbackMethod)
      throw new NotFoundError('sign-in endpoint', req.path);
    const form = Object.fromEntries(
      Object.entries((req.body ?? {}) as Record<string, unknown>).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    );
    const received = { url: `${ctx.publicUrl}${req.originalUrl}`, form };
    const flowId = signIn.flowIdOf(received);
    let lang = languageOf(req);
    try {
      if (!flowId)
        throw new SignInDeniedError('flow-expired', 'the answer carries no sign-in state');
      if (signIn.callbackMethod === 'GET') {
        // The state must be the one this browser was given: a callback started elsewhere is refused.
        if (readCookie(req, FLOW_COOKIE) !== flowId)
          throw new SignInDeniedError(
            'provider-refused',
            "the state does not belong to this browser's sign-in",
          );
        clearCookie(res, FLOW_COOKIE, { secure: isSecure(ctx), path: '/auth' });
      }
      const flow = await takeFlow(db, flowId, name);
      if (!flow)
        throw new SignInDeniedError(
          'flow-expired',
          'no sign-in is waiting for this answer (expired or already used)',
        );
      lang = chooseLanguage(
        new URL(flow.returnTo, 'http://x').searchParams.get('lang'),
        req.get('accept-language'),
      );
      const identity = await signIn.complete(received, flow.pending).catch((error: unknown) => {
        if (error instanceof SignInRefused)
          throw new SignInDeniedError('provider-refused', error.reason);
        throw error;
      });
      const result = await signInEnterprise(
        { db, hasher: ctx.hasher, invitations: ctx.invitations },
        {
          orgId: flow.orgId,
          source: name,
          policy,
          identity,
          invitationToken: flow.invitationToken,
        },
      );
      ctx.log.info(
        { source: name, memberId: result.memberId, outcome: result.outcome },
        'enterprise sign-in',
      );
      await startSession(ctx, res, {
        memberId: result.memberId,
        source: name,
        mustChangePassword: false,
      });
      res.redirect(303, flow.returnTo);
    } catch (error) {
      if (!(error instanceof SignInDeniedError)) throw error;
      ctx.log.warn(
        { source: name, refusal: error.refusal, reason: error.message },
        'enterprise sign-in refused',
      );
      sendRefusal(req, res, error, lang);
    }
  };
  router.get('/auth/:type/:name/:callback', callback);
  router.post('/auth/:type/:name/:callback', callback);
  return router;
}
