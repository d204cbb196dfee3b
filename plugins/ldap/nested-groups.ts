import type { SourceGroup } from '../../src/plugin-api.ts';

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
