import { Router } from 'express';
import type { AppContext } from '../../app-context.ts';
import type { AnySourceConfig } from '../../config/source-schemas.ts';
import { signInUrls } from '../../sources/source-urls.ts';

// One configured identity source and the URLs to register at their identity provider (SAML SP
// metadata and ACS, OIDC redirect URL). Settings only: secrets are references and never shown.

function describeSource(ctx: AppContext, config: AnySourceConfig) {
  const urls = signInUrls(ctx.publicUrl, config);
  const base = { name: config.name, type: config.type };
  if (config.type === 'builtin')
    return { ...base, allowSelfRegistration: config.allowSelfRegistration };
  if (config.type === 'ldap') {
    return {
      ...base,
      flavor: config.flavor,
      url: config.url,
      bindDN: config.bindDN,
      onUnmatched: config.onUnmatched,
      onDeleted: config.onDeleted,
      schedule: config.schedule ?? null,
    };
  }
  const policy = { autoRegister: config.autoRegister, linkBy: config.linkBy };
  if (config.type === 'saml') {
    return {
      ...base,
      ...policy,
      entityId: config.entityId ?? urls!.metadata,
      metadataUrl: urls!.metadata,
      acsUrl: urls!.callback,
      loginUrl: urls!.login,
    };
  }
  return {
    ...base,
    ...policy,
    issuer: config.issuer,
    clientId: config.clientId,
    redirectUrl: urls!.callback,
    loginUrl: urls!.login,
  };
}

export function sourcesRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/sources/:name', (req, res) => {
    res.json(describeSource(ctx, ctx.sources.config(String(req.params.name))));
  });
  return router;
}
