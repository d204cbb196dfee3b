import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import type { Browser, Page } from './browser.ts';

// A real OpenID Provider (oidc-provider) on loopback, with one confidential client that must use
// PKCE, and accounts whose claims the test decides. Its development interactions are driven by
// posting their forms, as a person would.

interface OidcAccount {
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
}

export interface TestProvider {
  issuer: string;
  accounts: Map<string, OidcAccount>;
  close(): Promise<void>;
}

export const CLIENT_ID = 'provisiond-test';
export const CLIENT_SECRET = 'client-secret-for-tests-only';

export async function startProvider(port: number, redirectUris: string[]): Promise<TestProvider> {
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, OidcAccount>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name'],
    },
    cookies: { keys: ['oidc-provider-test-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, ...(accounts.get(sub) ?? {}) }),
    }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, '127.0.0.1', () => resolve(s));
  });
  return { issuer, accounts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Signs in at the provider as `login` and consents; returns the redirect back to the daemon. */
export async function signInAtProvider(
  browser: Browser,
  authorizationUrl: string,
  login: string,
  redirectUri: string,
): Promise<string> {
  let page: Page = await browser.follow(await browser.get(authorizationUrl), (url) =>
    url.startsWith(redirectUri),
  );
  for (let step = 0; step < 6; step++) {
    if (page.location?.startsWith(redirectUri)) return page.location;
    const prompt = /name="prompt" value="(\w+)"/.exec(page.text)?.[1] ?? 'login';
    const submitted = await browser.post(
      page.url,
      prompt === 'login' ? { prompt: 'login', login, password: 'x' } : { prompt: 'consent' },
    );
    page = await browser.follow(submitted, (url) => url.startsWith(redirectUri));
  }
  throw new Error(
    `the provider did not redirect back: ${page.status} ${page.url}\n${page.text.slice(0, 500)}`,
  );
}
