import { escapeFilter } from 'ldapts';

// Every value put into a filter goes through escapeFilter (RFC 4515): a login such as `*)(uid=*`
// is looked up literally and can never widen a search or a bind.

const IN_CHAIN = '1.2.840.113556.1.4.1941';

export function and(...filters: string[]): string {
  const parts = filters.filter((f) => f !== '');
  return parts.length === 1 ? parts[0]! : `(&${parts.join('')})`;
}

export function equals(attribute: string, value: string): string {
  return `(${attribute}=${escapeFilter`${value}`})`;
}

export function atLeast(attribute: string, value: string): string {
  return `(${attribute}>=${escapeFilter`${value}`})`;
}

export function contains(attribute: string, value: string): string {
  return `(${attribute}=*${escapeFilter`${value}`}*)`;
}

/** Members of a group DN, through nested groups when `inChain` (AD's LDAP_MATCHING_RULE_IN_CHAIN). */
export function memberOf(groupDN: string, inChain: boolean): string {
  return inChain
    ? `(memberOf:${IN_CHAIN}:=${escapeFilter`${groupDN}`})`
    : equals('memberOf', groupDN);
}

export function anyOf(filters: string[]): string {
  return filters.length === 1 ? filters[0]! : `(|${filters.join('')})`;
}

/** AD: the groups that contain `dn`, directly or through nested groups. */
export function containsInChain(dn: string): string {
  return `(member:${IN_CHAIN}:=${escapeFilter`${dn}`})`;
}
