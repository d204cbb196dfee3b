import type { AppContext } from '../../app-context.ts';
import { signInUrls } from '../../sources/source-urls.ts';
import type { EnterpriseButton } from './pages/sign-in-pages.ts';

/** One sign-in button per SAML or OIDC source, labelled as configured. */
export function enterpriseButtons(ctx: AppContext): EnterpriseButton[] {
  return ctx.sources.list().flatMap((config) => {
    if (config.type !== 'saml' && config.type !== 'oidc') return [];
    const urls = signInUrls('', config)!;
    return [{ label: config.label ?? config.name, loginUrl: urls.login }];
  });
}

export function selfRegistrationAllowed(ctx: AppContext): boolean {
  return ctx.sources
    .list()
    .some((config) => config.type === 'builtin' && config.allowSelfRegistration);
}
