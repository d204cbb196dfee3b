import type { Entry } from 'ldapts';
import type { SourceGroup, SourceUser } from '../../src/plugin-api.ts';
import type { LdapSourceConfig } from './config.ts';
import type { FlavorSettings } from './flavors.ts';

// Directory entries to source records: stable ids in text form, logins, the disabled bit.

const ACCOUNTDISABLE = 0x2;

function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

function first(entry: Entry, attribute: string): string {
  return values(entry, attribute)[0] ?? '';
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
  const key = Object.keys(entry).find((k) => k.toLowerCase() === flavor.idAttribute.toLowerCase());
  const raw = key === undefined ? undefined : entry[key];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) throw new Error(`${entry.dn} has no ${flavor.idAttribute}`);
  if (flavor.binaryId) {
    if (!Buffer.isBuffer(value))
      throw new Error(`${flavor.idAttribute} of ${entry.dn} is not binary`);
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
    'memberOf',
    ...(config.flavor === 'ad' ? ['userAccountControl'] : []),
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
): SourceUser {
  const a = config.users.attributes;
  const name = first(entry, flavor.loginAttribute);
  if (!name) throw new Error(`${entry.dn} has no ${flavor.loginAttribute}`);
  const byUid = config.groups?.membershipAttribute === 'memberUid';
  return {
    kind: 'user',
    externalId: externalIdOf(entry, flavor),
    ref: (byUid ? name : entry.dn).toLowerCase(),
    login: domain ? `${name}@${domain}` : name,
    email: first(entry, a.email) || null,
    firstName: first(entry, a.firstName),
    lastName: first(entry, a.lastName),
    displayName: first(entry, a.displayName),
    disabled:
      config.flavor === 'ad' && (Number(first(entry, 'userAccountControl')) & ACCOUNTDISABLE) !== 0,
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
