import { readFileSync } from 'node:fs';
import {
  Client,
  type Control,
  type Entry,
  InvalidCredentialsError as LdapInvalidCredentials,
} from 'ldapts';
import {
  InvalidCredentialsError,
  type SourceContext,
  SourceError,
  SourceUnavailableError,
} from '../../src/plugin-api.ts';
import type { LdapSourceConfig } from './config.ts';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/** A client span around one LDAP operation (never a filter value or a password: they may be secret). */
async function ldapSpan<T>(
  name: string,
  config: LdapSourceConfig,
  attributes: Record<string, string>,
  work: () => Promise<T>,
): Promise<T> {
  return trace
    .getTracer('provisiond')
    .startActiveSpan(
      name,
      { kind: SpanKind.CLIENT, attributes: { 'server.address': config.url, ...attributes } },
      async (span) => {
        try {
          return await work();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
          throw error;
        } finally {
          span.end();
        }
      },
    );
}

// One bound connection per read. Searches are paged and yield entry by entry, so a read of the
// whole directory holds one page in memory at a time.

function newClient(config: LdapSourceConfig): Client {
  // tlsOptions only for ldaps://: given to an ldap:// client, ldapts' StartTLS upgrade fails.
  const ca =
    config.caFile && config.url.startsWith('ldaps:') ? [readFileSync(config.caFile)] : undefined;
  return new Client({
    url: config.url,
    timeout: config.timeoutSeconds * 1000,
    connectTimeout: config.timeoutSeconds * 1000,
    ...(ca && { tlsOptions: { ca } }),
  });
}

/**
 * The directory could not be reached or read: an error the engine can tell from "nothing there".
 * Errors the plugin already typed pass through.
 */
export function unavailable(config: LdapSourceConfig, error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  return new SourceUnavailableError(`${config.url}: ${(error as Error).message}`, {
    cause: error,
  });
}

/** A client on an encrypted connection when the configuration asks for StartTLS (before any bind). */
export async function openConnection(config: LdapSourceConfig): Promise<Client> {
  const client = newClient(config);
  if (!config.startTLS) return client;
  try {
    await client.startTLS(config.caFile ? { ca: [readFileSync(config.caFile)] } : {});
    return client;
  } catch (error) {
    await client.unbind().catch(() => undefined);
    throw unavailable(config, error);
  }
}

export async function openBound(config: LdapSourceConfig, context: SourceContext): Promise<Client> {
  const client = await openConnection(config);
  try {
    await ldapSpan('ldap bind', config, { 'ldap.bind_dn': config.bindDN }, () =>
      client.bind(config.bindDN, context.resolveSecret(config.bindCredentials)),
    );
    return client;
  } catch (error) {
    await client.unbind().catch(() => undefined);
    if (error instanceof LdapInvalidCredentials)
      throw new InvalidCredentialsError(
        `${config.url} refused the bind as ${config.bindDN}: invalid credentials (LDAP result 49)`,
        { cause: error },
      );
    throw unavailable(config, error);
  }
}

export interface SearchSpec {
  baseDN: string;
  filter: string;
  attributes: string[];
  binary?: string[];
  sizeLimit?: number;
  controls?: Control[];
}

/**
 * A paged search, page by page: a reader of many entries (a full read) handles each page in a
 * loop of its own rather than awaiting every entry.
 */
export async function* searchPages(
  client: Client,
  config: LdapSourceConfig,
  spec: SearchSpec,
): AsyncGenerator<Entry[]> {
  const pages = client.searchPaginated(
    spec.baseDN,
    {
      scope: 'sub',
      filter: spec.filter,
      attributes: spec.attributes,
      explicitBufferAttributes: spec.binary ?? [],
      sizeLimit: spec.sizeLimit ?? 0,
      paged: { pageSize: config.pageSize },
    },
    spec.controls,
  );
  // A span for the whole paged search, however long its reader takes over the pages.
  const span = trace.getTracer('provisiond').startSpan('ldap search', {
    kind: SpanKind.CLIENT,
    attributes: { 'server.address': config.url, 'ldap.base_dn': spec.baseDN },
  });
  let entries = 0;
  // One page is asked for ahead: the directory serves the next page while this one is mapped,
  // where asking only once it is consumed left each side waiting on the other in turn.
  let ahead = pages.next();
  try {
    for (let page = await ahead; !page.done; page = await ahead) {
      ahead = pages.next();
      entries += page.value.searchEntries.length;
      yield page.value.searchEntries;
    }
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
    throw error;
  } finally {
    // A reader that stops early leaves the page asked for ahead: its failure is nobody's to see.
    ahead.catch(() => undefined);
    span.setAttribute('ldap.entries', entries);
    span.end();
  }
}

export async function* pagedSearch(
  client: Client,
  config: LdapSourceConfig,
  spec: SearchSpec,
): AsyncGenerator<Entry> {
  for await (const page of searchPages(client, config, spec)) yield* page;
}

export async function rootAttribute(client: Client, attribute: string): Promise<string | null> {
  const { searchEntries } = await client.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: [attribute],
  });
  const value = searchEntries[0]?.[attribute];
  return value === undefined ? null : String(Array.isArray(value) ? value[0] : value);
}
