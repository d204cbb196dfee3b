import type { Client } from 'ldapts';
import type { SourceGroup } from '../../src/plugin-api.ts';
import type { LdapSourceConfig } from './config.ts';
import { pagedSearch } from './connection.ts';
import { and, memberOf } from './filters.ts';

// Plain LDAP has no in-chain rule: a group's effective members are its own plus those of the
// groups it contains, to any depth. Cycles (A in B in A) end the walk instead of looping.

export function expandNested(groups: SourceGroup[]): SourceGroup[] {
  const byRef = new Map(groups.map((g) => [g.ref, g]));
  const memo = new Map<string, Set<string>>();
  const effective = (group: SourceGroup, path: Set<string>): Set<string> => {
    const known = memo.get(group.ref);
    if (known) return known;
    const members = new Set<string>();
    path.add(group.ref);
    for (const ref of group.members) {
      const inner = byRef.get(ref);
      if (!inner) members.add(ref);
      else if (!path.has(ref)) for (const m of effective(inner, path)) members.add(m);
    }
    path.delete(group.ref);
    memo.set(group.ref, members);
    return members;
  };
  return groups.map((g) => ({ ...g, members: [...effective(g, new Set())] }));
}

/** AD: the users in a group through any depth of nesting (the in-chain matching rule), as refs. */
export async function inChainMembers(
  client: Client,
  config: LdapSourceConfig,
  groupDN: string,
): Promise<string[]> {
  const members: string[] = [];
  const filter = and('(objectClass=user)', memberOf(groupDN, true));
  for await (const entry of pagedSearch(client, config, {
    baseDN: config.users.baseDN,
    filter,
    attributes: ['1.1'],
  }))
    members.push(entry.dn.toLowerCase());
  return members;
}
