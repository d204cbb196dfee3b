import { type Client, type Entry, NoSuchObjectError } from 'ldapts';
import type {
  GroupLookup,
  SourceContext,
  SourceGroup,
  SourceUser,
  UserLookup,
} from '../../src/plugin-api.ts';
import type { LdapSourceConfig } from './config.ts';
import { openBound, pagedSearch } from './connection.ts';
import { groupAttributes, toGroup, toUser, userAttributes } from './entry-mapping.ts';
import { type FlavorSettings, adDomain } from './flavors.ts';
import { and, anyOf, containsInChain, equals, memberOf } from './filters.ts';
import { expandNested, inChainMembers } from './nested-groups.ts';

// One user or one group, read as a full read would read it (same attributes, same nested-group
// expansion), and judged against the source's scope: provision on demand and add on the spot.
// Every looked-up value goes through the filter helpers, escaped.

export interface LookupOptions {
  config: LdapSourceConfig;
  flavor: FlavorSettings;
  context: SourceContext;
}

/** The directory's root (its DC= components), where an entry outside the source's scope is looked for. */
function rootOf(dn: string): string {
  const dcs = dn.split(',').filter((rdn) => /^\s*dc=/i.test(rdn));
  return dcs.length > 0 ? dcs.join(',') : dn;
}

const under = (dn: string, base: string) =>
  dn.toLowerCase().replace(/\s/g, '').endsWith(base.toLowerCase().replace(/\s/g, ''));

async function firstEntry(
  client: Client,
  config: LdapSourceConfig,
  baseDN: string,
  filter: string,
  attributes: string[],
  binary: string[],
): Promise<Entry | undefined> {
  try {
    for await (const entry of pagedSearch(client, config, {
      baseDN,
      filter,
      attributes,
      binary,
    }))
      return entry;
  } catch (error) {
    if (error instanceof NoSuchObjectError) return undefined;
    throw error;
  }
  return undefined;
}

function readable(entry: Entry, user: { externalId: string }, flavor: FlavorSettings) {
  const attributes: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'dn') continue;
    if (key.toLowerCase() === flavor.idAttribute.toLowerCase()) {
      attributes[key] = [user.externalId];
      continue;
    }
    const list = Array.isArray(value) ? value : [value];
    attributes[key] = list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
  }
  return attributes;
}

export async function findUser(options: LookupOptions, login: string): Promise<UserLookup | null> {
  const { config, flavor, context } = options;
  const ad = config.flavor === 'ad';
  const suffix = `@${adDomain(config)}`.toLowerCase();
  const name = ad && login.toLowerCase().endsWith(suffix) ? login.slice(0, -suffix.length) : login;
  if (name.trim() === '') return null;
  const client = await openBound(config, context);
  try {
    const attributes = userAttributes(config, flavor);
    const binary = flavor.binaryId ? [flavor.idAttribute] : [];
    const byLogin = equals(flavor.loginAttribute, name);
    const base = config.users.baseDN;
    let outOfScope: string | null = null;
    let entry = await firstEntry(
      client,
      config,
      base,
      and(flavor.userFilter, byLogin),
      attributes,
      binary,
    );
    if (!entry) {
      entry = await firstEntry(client, config, rootOf(base), byLogin, attributes, binary);
      if (!entry) return null;
      outOfScope = under(entry.dn, base)
        ? `${entry.dn} does not match the source's user filter ${flavor.userFilter}`
        : `${entry.dn} is outside the source's users base DN ${base}`;
    } else if (config.users.memberOf.length > 0) {
      const scope = anyOf(config.users.memberOf.map((dn) => memberOf(dn, ad)));
      const scoped = await firstEntry(
        client,
        config,
        base,
        and(flavor.userFilter, scope, byLogin),
        ['1.1'],
        [],
      );
      if (!scoped)
        outOfScope = `${entry.dn} is in none of the groups the source's users.memberOf names (${config.users.memberOf.join('; ')})`;
    }
    const user = toUser(entry, config, flavor, ad ? adDomain(config) : null);
    const groups = config.groups ? await groupsContaining(options, client, user, entry.dn) : [];
    return {
      user,
      dn: entry.dn,
      attributes: readable(entry, user, flavor),
      outOfScope,
      groups,
    };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

async function groupsContaining(
  options: LookupOptions,
  client: Client,
  user: SourceUser,
  userDN: string,
): Promise<SourceGroup[]> {
  const { config, flavor } = options;
  const groups = config.groups!;
  const attributes = groupAttributes(config, flavor);
  const binary = flavor.binaryId ? [flavor.idAttribute] : [];
  const search = (filter: string) =>
    pagedSearch(client, config, { baseDN: groups.baseDN, filter, attributes, binary });
  if (config.flavor === 'ad' && flavor.nested) {
    const found: SourceGroup[] = [];
    for await (const entry of search(and(flavor.groupFilter, containsInChain(userDN)))) {
      const group = toGroup(entry, config, flavor);
      found.push({ ...group, members: await inChainMembers(client, config, group.ref) });
    }
    return found;
  }
  if (flavor.nested) {
    const all: SourceGroup[] = [];
    for await (const entry of search(flavor.groupFilter)) all.push(toGroup(entry, config, flavor));
    return expandNested(all).filter((g) => g.members.includes(user.ref));
  }
  const member =
    groups.membershipAttribute === 'memberUid'
      ? equals('memberUid', user.ref)
      : equals(groups.membershipAttribute, userDN);
  const found: SourceGroup[] = [];
  for await (const entry of search(and(flavor.groupFilter, member)))
    found.push(toGroup(entry, config, flavor));
  return found;
}

export async function findGroup(
  options: LookupOptions,
  nameOrDN: string,
): Promise<GroupLookup | null> {
  const { config, flavor, context } = options;
  const ad = config.flavor === 'ad';
  if (nameOrDN.trim() === '') return null;
  const client = await openBound(config, context);
  try {
    const attributes = groupAttributes(config, flavor);
    const binary = flavor.binaryId ? [flavor.idAttribute] : [];
    const nameAttribute = config.groups?.nameAttribute ?? 'cn';
    const isDN = /^[^=,]+=[^,]+(,|$)/.test(nameOrDN);
    const base = config.groups?.baseDN ?? rootOf(config.users.baseDN);
    const wanted = isDN
      ? flavor.groupFilter
      : and(flavor.groupFilter, equals(nameAttribute, nameOrDN));
    let entry = await firstEntry(
      client,
      config,
      isDN ? nameOrDN : base,
      wanted,
      attributes,
      binary,
    );
    let outOfScope: string | null = null;
    if (!entry && !isDN)
      entry = await firstEntry(client, config, rootOf(base), wanted, attributes, binary);
    if (!entry) return null;
    if (!config.groups)
      outOfScope = 'the source reads no groups (its configuration has no groups:)';
    else if (!under(entry.dn, config.groups.baseDN))
      outOfScope = `${entry.dn} is outside the source's groups base DN ${config.groups.baseDN}`;
    let group = toGroup(entry, config, flavor);
    const userAttrs = userAttributes(config, flavor);
    const userBinary = flavor.binaryId ? [flavor.idAttribute] : [];
    const scope =
      config.users.memberOf.length > 0
        ? anyOf(config.users.memberOf.map((dn) => memberOf(dn, ad)))
        : '';
    const domain = ad ? adDomain(config) : null;
    const users: SourceUser[] = [];
    const skipped: GroupLookup['skipped'] = [];
    if (ad && flavor.nested) {
      const members = await inChainMembers(client, config, group.ref);
      for await (const e of pagedSearch(client, config, {
        baseDN: config.users.baseDN,
        filter: and(flavor.userFilter, scope, memberOf(entry.dn, true)),
        attributes: userAttrs,
        binary: userBinary,
      }))
        users.push(toUser(e, config, flavor, domain));
      const taken = new Set(users.map((u) => u.ref));
      for (const m of members)
        if (!taken.has(m)) skipped.push({ member: m, reason: "outside the source's user scope" });
      group = { ...group, members };
    } else {
      if (flavor.nested) {
        const all: SourceGroup[] = [];
        for await (const e of pagedSearch(client, config, {
          baseDN: config.groups?.baseDN ?? base,
          filter: flavor.groupFilter,
          attributes,
          binary,
        }))
          all.push(toGroup(e, config, flavor));
        group = expandNested(all).find((g) => g.ref === group.ref) ?? group;
      }
      const byUid = config.groups?.membershipAttribute === 'memberUid';
      for (const ref of group.members) {
        const found = byUid
          ? await firstEntry(
              client,
              config,
              config.users.baseDN,
              and(flavor.userFilter, scope, equals(flavor.loginAttribute, ref)),
              userAttrs,
              userBinary,
            )
          : under(ref, config.users.baseDN)
            ? await firstEntry(
                client,
                config,
                ref,
                and(flavor.userFilter, scope),
                userAttrs,
                userBinary,
              )
            : undefined;
        if (found) users.push(toUser(found, config, flavor, domain));
        else
          skipped.push({ member: ref, reason: "outside the source's user scope (or not a user)" });
      }
    }
    return { group, dn: entry.dn, outOfScope, users, skipped };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
