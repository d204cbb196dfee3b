import { type Client, Control, type Entry } from 'ldapts';
import {
  InvalidChangeTokenError,
  type SourceContext,
  type SourceGroup,
  type SourceRead,
  type SourceRecord,
} from '../../src/plugin-api.ts';
import type { LdapSourceConfig } from './config.ts';
import { openBound, pagedSearch, rootAttribute, searchPages, unavailable } from './connection.ts';
import {
  attributeValue,
  externalIdOf,
  groupAttributes,
  toGroup,
  toUser,
  userAttributes,
} from './entry-mapping.ts';
import { type FlavorSettings, adDomain } from './flavors.ts';
import { and, anyOf, atLeast, containsInChain, memberOf } from './filters.ts';
import { expandNested, inChainMembers } from './nested-groups.ts';

// Full and incremental reads. Tokens: `usn:N` (AD: highestCommittedUSN, read before the users so
// that nothing written during the read is missed), `csn:ENTRYCSN` (OpenLDAP: the newest entryCSN
// seen) or `ts:GENERALIZEDTIME` (generic: the newest modifyTimestamp seen). The next read asks
// `>=`, so an entry changed at the token's instant is read again rather than missed — unchanged
// records cost nothing downstream.
// Membership changes touch the group, not the member: incremental reads read changed groups too.

/** LDAP_SERVER_SHOW_DELETED_OID: AD returns tombstones (deleted objects keep their objectGUID). */
const SHOW_DELETED = '1.2.840.113556.1.4.417';

const TOKEN_PREFIX = { entryCSN: 'csn', modifyTimestamp: 'ts', uSNChanged: 'usn' } as const;
const TOKEN_SHAPE = {
  entryCSN: /^\d{14}\.\d+Z#[0-9a-f]+#[0-9a-f]+#[0-9a-f]+$/,
  modifyTimestamp: /^\d{14}(\.\d+)?Z$/,
  uSNChanged: /^\d+$/,
};

export interface ReadOptions {
  config: LdapSourceConfig;
  flavor: FlavorSettings;
  context: SourceContext;
  since: string | null;
}

function since(token: string | null, flavor: FlavorSettings): string {
  if (token === null) return '';
  const [kind, value = ''] = token.split(/:(.*)/s);
  if (kind !== TOKEN_PREFIX[flavor.changes] || !TOKEN_SHAPE[flavor.changes].test(value)) {
    throw new InvalidChangeTokenError(
      `"${token}" is not a ${flavor.changes} change token; everything is read again`,
    );
  }
  return atLeast(
    flavor.changes,
    flavor.changes === 'uSNChanged' ? String(BigInt(value) + 1n) : value,
  );
}

function stamp(entry: Entry, attribute: string): string {
  const value = attributeValue(entry, attribute);
  return String(Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
}

export function readDirectory(options: ReadOptions): SourceRead {
  const { config, flavor, context } = options;
  const ad = config.flavor === 'ad';
  const prefix = TOKEN_PREFIX[flavor.changes];
  const deleted: string[] = [];
  let token: string | null = options.since;
  let newest =
    options.since?.startsWith(`${prefix}:`) && !ad ? options.since.slice(prefix.length + 1) : '';

  const scope =
    config.users.memberOf.length > 0
      ? anyOf(config.users.memberOf.map((dn) => memberOf(dn, ad)))
      : '';
  const changed = since(options.since, flavor);
  const seen = (entry: Entry) => {
    const s = stamp(entry, flavor.changes);
    if (s > newest) newest = s;
  };

  async function* groupsOf(client: Client): AsyncGenerator<SourceGroup> {
    const groups = config.groups;
    if (!groups) return;
    const attributes = [...groupAttributes(config, flavor), flavor.changes];
    const binary = flavor.binaryId ? [flavor.idAttribute] : [];
    // Plain-LDAP nesting is expanded here from every group, so an incremental read reads them all.
    const incrementalFilter = changed !== '' && !(flavor.nested && !ad) ? changed : '';
    const entries = pagedSearch(client, config, {
      baseDN: groups.baseDN,
      filter: and(groups.filter ?? flavor.groupFilter, incrementalFilter),
      attributes,
      binary,
    });
    if (ad && flavor.nested) {
      const wanted = new Map<string, SourceGroup>();
      for await (const entry of entries)
        wanted.set(entry.dn.toLowerCase(), toGroup(entry, config, flavor));
      if (changed !== '') await addAncestors(client, wanted, attributes, binary);
      for (const group of wanted.values())
        yield { ...group, members: await inChainMembers(client, config, group.ref) };
      return;
    }
    if (flavor.nested) {
      const all: SourceGroup[] = [];
      for await (const entry of entries) {
        seen(entry);
        all.push(toGroup(entry, config, flavor));
      }
      yield* expandNested(all);
      return;
    }
    for await (const entry of entries) {
      seen(entry);
      yield toGroup(entry, config, flavor);
    }
  }

  /** AD: a change in a nested group changes the effective members of every group containing it. */
  async function addAncestors(
    client: Client,
    wanted: Map<string, SourceGroup>,
    attributes: string[],
    binary: string[],
  ) {
    for (const dn of [...wanted.keys()]) {
      const filter = and(flavor.groupFilter, containsInChain(dn));
      for await (const entry of pagedSearch(client, config, {
        baseDN: config.groups!.baseDN,
        filter,
        attributes,
        binary,
      })) {
        if (!wanted.has(entry.dn.toLowerCase()))
          wanted.set(entry.dn.toLowerCase(), toGroup(entry, config, flavor));
      }
    }
  }

  /** AD tells its deletions: the users deleted since the token, as tombstones. */
  async function deletedSince(client: Client): Promise<void> {
    const domainRoot = config.users.baseDN
      .split(',')
      .filter((rdn) => /^\s*dc=/i.test(rdn))
      .join(',');
    const filter = and('(isDeleted=TRUE)', '(objectClass=user)', changed);
    const spec = {
      baseDN: domainRoot,
      filter,
      attributes: [flavor.idAttribute],
      binary: [flavor.idAttribute],
      controls: [new Control(SHOW_DELETED, { critical: true })],
    };
    for await (const entry of pagedSearch(client, config, spec))
      deleted.push(externalIdOf(entry, flavor));
  }

  async function* records(): AsyncGenerator<SourceRecord> {
    const client = await openBound(config, context);
    try {
      const usn = ad ? await rootAttribute(client, 'highestCommittedUSN') : null;
      const domain = ad ? adDomain(config) : null;
      const filter = and(flavor.userFilter, scope, changed);
      const attributes = [...userAttributes(config, flavor), flavor.changes];
      const pages = searchPages(client, config, {
        baseDN: config.users.baseDN,
        filter,
        attributes,
        binary: flavor.binaryId ? [flavor.idAttribute] : [],
      });
      for await (const page of pages)
        for (const entry of page) {
          seen(entry);
          yield toUser(entry, config, flavor, domain);
        }
      yield* groupsOf(client);
      if (ad && changed !== '') await deletedSince(client);
      token = usn !== null ? `usn:${usn}` : newest ? `${prefix}:${newest}` : token;
    } catch (error) {
      throw unavailable(config, error);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  return { records: records(), nextToken: () => token, deletedExternalIds: () => deleted };
}
