import { readFile } from 'node:fs/promises';
import samlify from 'samlify';
import type { SourceContext } from '../../src/plugin-api.ts';
import type { SamlSourceConfig } from './config.ts';

// The identity provider's metadata (its signing certificates), kept between sign-ins and read
// again, without a restart: once it is older than `metadataRefreshMinutes`, and when a response
// fails to verify with the keys we hold — the IdP may have rolled its certificate — at most once a
// minute, so that forged responses cannot make us hammer the IdP. A failed read keeps the
// metadata we have.

/** The least time between two reads forced by a response that did not verify. */
const FORCED_REFRESH_INTERVAL_MS = 60_000;

export class IdpMetadata {
  private current: Promise<samlify.IdentityProviderInstance> | null = null;
  private readAt = 0;
  private forcedAt = 0;

  constructor(
    private readonly config: SamlSourceConfig,
    private readonly log: SourceContext['log'],
    private readonly now: () => number = Date.now,
  ) {}

  /** The metadata we hold, read again first when it is older than the refresh interval. */
  async identityProvider(): Promise<samlify.IdentityProviderInstance> {
    const age = this.now() - this.readAt;
    if (this.current && age < this.config.metadataRefreshMinutes * 60_000) return this.current;
    return this.read();
  }

  /**
   * After a response failed to verify: the metadata read again, unless it was forced less than a
   * minute ago; null when it was not read again (the refusal stands).
   */
  async afterVerificationFailure(): Promise<samlify.IdentityProviderInstance | null> {
    if (this.now() - this.forcedAt < FORCED_REFRESH_INTERVAL_MS) return null;
    this.forcedAt = this.now();
    return this.read();
  }

  private async read(): Promise<samlify.IdentityProviderInstance> {
    const previous = this.current;
    const next = this.fetchMetadata().then((metadata) =>
      samlify.IdentityProvider({ metadata, wantAuthnRequestsSigned: false }),
    );
    try {
      const idp = await next;
      this.current = next;
      this.readAt = this.now();
      return idp;
    } catch (error) {
      if (!previous) throw error;
      this.log.warn(
        { source: this.config.name, err: error },
        'the identity provider metadata could not be read again; the previous one stays in use',
      );
      // Try again at the next sign-in rather than at every one.
      this.readAt = this.now();
      return previous;
    }
  }

  private async fetchMetadata(): Promise<string> {
    const source = this.config.idpMetadata;
    if ('file' in source) return readFile(source.file, 'utf8');
    const response = await fetch(source.url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok)
      throw new Error(`the IdP metadata at ${source.url} answered ${response.status}`);
    return response.text();
  }
}
