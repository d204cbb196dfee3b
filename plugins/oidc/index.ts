import * as client from 'openid-client';
import type {
  IdentitySource,
  IdentitySourcePlugin,
  RedirectSignIn,
  SignInCallback,
  SignInStart,
  SourceContext,
  VerifiedIdentity,
} from '../../src/plugin-api.ts';
import type { OidcSourceConfig } from './config.ts';
import { SignInRefused } from '../../src/plugin-api.ts';

// OpenID Connect: discovery, authorization code with PKCE (S256), state and nonce. The state is
// the daemon's flow id; the PKCE verifier and the nonce stay server-side in the flow. `sub` is
// the login; the email is used only when `email_verified` is true, unless configured.

function claim(claims: Record<string, unknown>, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

class OidcSignIn implements RedirectSignIn {
  readonly callbackMethod = 'GET';
  readonly callbackName = 'callback';
  private discovered: Promise<client.Configuration> | null = null;

  constructor(
    private readonly config: OidcSourceConfig,
    private readonly context: SourceContext,
  ) {}

  private configuration(): Promise<client.Configuration> {
    this.discovered ??= (async () => {
      const secret = this.config.clientSecret
        ? this.context.resolveSecret(this.config.clientSecret)
        : undefined;
      const issuer = new URL(this.config.issuer);
      // Plain http only for a provider on this machine (tests, local development).
      const loopback =
        issuer.protocol === 'http:' &&
        ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      return client.discovery(
        issuer,
        this.config.clientId,
        secret === undefined ? undefined : { client_secret: secret },
        secret === undefined ? client.None() : client.ClientSecretBasic(secret),
        loopback ? { execute: [client.allowInsecureRequests] } : undefined,
      );
    })();
    // A failed discovery is retried at the next sign-in rather than kept forever.
    this.discovered.catch(() => (this.discovered = null));
    return this.discovered;
  }

  async start(flowId: string): Promise<SignInStart> {
    const configuration = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.context.urls.callback,
      scope: this.config.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flowId,
      nonce,
    });
    return { redirectUrl: url.href, pending: { verifier, nonce, state: flowId } };
  }

  flowIdOf(callback: SignInCallback): string | null {
    return new URL(callback.url).searchParams.get('state');
  }

  async complete(
    callback: SignInCallback,
    pending: Record<string, string>,
  ): Promise<VerifiedIdentity> {
    const configuration = await this.configuration();
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, new URL(callback.url), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims() ?? {};
    } catch (error) {
      // Name the failed check (state, nonce claim, invalid_grant…), never the values compared.
      // openid-client wraps the failed check of oauth4webapi, whose message names the claim.
      const cause = (error as { cause?: unknown }).cause;
      const detail = cause instanceof Error ? `: ${cause.message}` : '';
      throw new SignInRefused(
        `OpenID Connect sign-in failed: ${(error as Error).message}${detail}`,
      );
    }
    const sub = claim(claims, 'sub');
    if (!sub) throw new SignInRefused('the ID token has no sub');
    const verified = claims.email_verified === true || !this.config.requireVerifiedEmail;
    const email = verified ? claim(claims, this.config.claims.email) : undefined;
    const mapped = this.config.claims;
    const fields = {
      email,
      firstName: claim(claims, mapped.firstName),
      lastName: claim(claims, mapped.lastName),
      displayName: claim(claims, mapped.displayName),
    };
    return {
      externalId: sub,
      login: sub,
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    };
  }
}

class OidcSource implements IdentitySource {
  readonly type = 'oidc';
  readonly signIn: OidcSignIn;
  constructor(
    readonly name: string,
    config: OidcSourceConfig,
    context: SourceContext,
  ) {
    this.signIn = new OidcSignIn(config, context);
  }
}

export const oidcPlugin: IdentitySourcePlugin<OidcSourceConfig> = {
  type: 'oidc',
  create: (config, context) => new OidcSource(config.name, config, context),
};
