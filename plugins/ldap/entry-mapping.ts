import type { Entry } from 'ldapts';
import type { SourceGroup, SourceUser } from '../../src/plugin-api.ts';
import type { LdapSourceConfig } from './config.ts';
import { type FlavorSettings, PROFILE_FIELDS } from './flavors.ts';

// Directory entries to source records: stable ids in text form, logins, the disabled bit.

const ACCOUNTDISABLE = 0x2;

/** AD `accountExpires`: 100-ns intervals since 1601-01-01 UTC; 0 and the largest 64-bit value mean never. */
const NEVER_EXPIRES = new Set(['0', '9223372036854775807']);
const INTERVALS_FROM_1601_TO_1970 = 116_444_736_000_000_000n;

export function accountExpiry(raw: string): Date | null {
  if (!/^\d+$/.test(raw) || NEVER_EXPIRES.has(raw)) return null;
  const ms = (BigInt(raw) - INTERVALS_FROM_1601_TO_1970) / 10_000n;
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * An attribute's value, its name matched without regard to case: attribute names are
 * case-insensitive, and ldapts keys an entry by the names the server sent (or, for an attribute
 * asked for and not sent, by the name asked for). The name as asked for is tried first, so a
 * full read, which looks up about fifteen attributes per user, builds nothing per look-up.
 */
export function attributeValue(entry: Entry, attribute: string): Entry[string] | undefined {
  if (Object.hasOwn(entry, attribute)) return entry[attribute];
  const wanted = attribute.toLowerCase();
  for (const key in entry)
    if (key.length === wanted.length && key.toLowerCase() === wanted) return entry[key];
  return undefined;
}

function values(entry: Entry, attribute: string): string[] {
  const value = attributeValue(entry, attribute);
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

/** The first value, without the list `values` builds. */
function first(entry: Entry, attribute: string): string {
  const value = attributeValue(entry, attribute);
  const one = Array.isArray(value) ? value[0] : value;
  if (one === undefined) return '';
  return Buffer.isBuffer(one) ? one.toString('utf8') : one;
}

/** AD stores GUIDs mixed-endian: the first three groups are little-endian. */
export function guidText(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`objectGUID must be 16 bytes, got ${bytes.length}`);
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = [...bytes.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

export function externalIdOf(entry: Entry, flavor: FlavorSettings): string {
  const dn = entry.dn;
  const raw = attributeValue(entry, flavor.idAttribute);
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) throw new Error(`${dn} has no ${flavor.idAttribute}`);
  if (flavor.binaryId) {
    if (!Buffer.isBuffer(value)) throw new Error(`${flavor.idAttribute} of ${dn} is not binary`);
    return guidText(value);
  }
  return Buffer.isBuffer(value) ? value.toString('utf8') : value;
}

export function userAttributes(config: LdapSourceConfig, flavor: FlavorSettings): string[] {
  const a = config.users.attributes;
  return [
    flavor.idAttribute,
    flavor.loginAttribute,
    a.email,
    a.firstName,
    a.lastName,
    a.displayName,
    ...PROFILE_FIELDS.map((f) => flavor.profile[f]),
    'memberOf',
    ...(config.flavor === 'ad' ? ['userAccountControl', 'accountExpires'] : []),
  ];
}

export function groupAttributes(config: LdapSourceConfig, flavor: FlavorSettings): string[] {
  return [
    flavor.idAttribute,
    config.groups?.nameAttribute ?? 'cn',
    'description',
    config.groups?.membershipAttribute ?? 'member',
  ];
}

export function toUser(
  entry: Entry,
  config: LdapSourceConfig,
  flavor: FlavorSettings,
  domain: string | null,
  now: Date = new Date(),
): SourceUser {
  const a = config.users.attributes;
  const name = first(entry, flavor.loginAttribute);
  if (!name) throw new Error(`${entry.dn} has no ${flavor.loginAttribute}`);
  const byUid = config.groups?.membershipAttribute === 'memberUid';
  const profile: Record<string, string> = {};
  for (const field of PROFILE_FIELDS) {
    const value = first(entry, flavor.profile[field]);
    if (value) profile[field] = value;
  }
  const expires = config.flavor === 'ad' ? accountExpiry(first(entry, 'accountExpires')) : null;
  if (expires) profile.accountExpires = expires.toISOString();
  const uacDisabled =
    config.flavor === 'ad' && (Number(first(entry, 'userAccountControl')) & ACCOUNTDISABLE) !== 0;
  return {
    kind: 'user',
    externalId: externalIdOf(entry, flavor),
    ref: (byUid ? name : entry.dn).toLowerCase(),
    login: domain ? `${name}@${domain}` : name,
    email: first(entry, a.email) || null,
    firstName: first(entry, a.firstName),
    lastName: first(entry, a.lastName),
    displayName: first(entry, a.displayName),
    disabled: uacDisabled || (expires !== null && expires.getTime() <= now.getTime()),
    profile,
    groups: values(entry, 'memberOf').map((dn) => dn.toLowerCase()),
  };
}

export function toGroup(
  entry: Entry,
  config: LdapSourceConfig,
  flavor: FlavorSettings,
): SourceGroup {
  const attribute = config.groups?.membershipAttribute ?? 'member';
  return {
    kind: 'group',
    externalId: externalIdOf(entry, flavor),
    ref: entry.dn.toLowerCase(),
    name: first(entry, config.groups?.nameAttribute ?? 'cn') || entry.dn,
    description: first(entry, 'description'),
    members: values(entry, attribute).map((m) => m.toLowerCase()),
  };
}
