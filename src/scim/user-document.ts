import { providerEmailProblem } from '../members/email-rules.ts';
import { enterpriseAccountName } from '../members/enterprise-login.ts';
import { deriveNames } from '../members/name-derivation.ts';
import { ENTERPRISE_SCHEMA, USER_ATTRIBUTES, USER_SCHEMA } from './scim-schemas.ts';
import { invalidValue } from './scim-error.ts';

// A member as a SCIM User, and a SCIM User as the fields of a member. Attributes without a
// column of their own are kept in members.profile exactly as the identity provider sent them.

export interface UserRow {
  id: string;
  username: string;
  email: string | null;
  first_name: string;
  last_name: string;
  display_name: string;
  status: string;
  profile: Profile;
  version: number;
  created_at: Date;
  updated_at: Date;
  external_id: string | null;
  groups?: Array<{ value: string; display: string }> | null;
}

type Json = Record<string, unknown>;

interface Profile {
  /**
   * Set for members written through SCIM: name, displayName and emails below are exactly what the
   * identity provider sent (an attribute it never sent or removed is absent, not derived).
   */
  asSent?: boolean;
  userName?: string;
  displayName?: string;
  name?: Json;
  nickName?: string;
  profileUrl?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  emails?: Json[];
  phoneNumbers?: Json[];
  addresses?: Json[];
  ims?: Json[];
  photos?: Json[];
  entitlements?: Json[];
  roles?: Json[];
  x509Certificates?: Json[];
  enterprise?: Json;
}

// members.profile holds these attributes; the sync keeps the directory's own under `directory`.
declare module '../store/tables/column-types.ts' {
  interface ColumnTypes {
    'members.profile': Profile & { directory?: Record<string, string> };
  }
}

const PROFILE_STRINGS = [
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
] as const;
const NAME_PARTS = [
  'formatted',
  'familyName',
  'givenName',
  'middleName',
  'honorificPrefix',
  'honorificSuffix',
] as const;
const PROFILE_LISTS = [
  'phoneNumbers',
  'addresses',
  'ims',
  'photos',
  'entitlements',
  'roles',
  'x509Certificates',
] as const;

export const etagOf = (version: number) => `W/"${version}"`;

export function toScimUser(row: UserRow, base: string): Json {
  const p = row.profile ?? {};
  // Members from elsewhere (administrators, directories) show their own columns.
  const name: Json | undefined = p.asSent
    ? p.name
    : { ...(p.name ?? {}), givenName: row.first_name, familyName: row.last_name };
  const displayName = p.asSent ? p.displayName : row.display_name;
  const emails = p.asSent
    ? p.emails
    : (p.emails ?? (row.email ? [{ value: row.email, type: 'work', primary: true }] : undefined));
  const enterprise =
    p.enterprise && Object.keys(p.enterprise).length > 0
      ? decorateManager(p.enterprise, base)
      : undefined;
  const doc: Json = {
    schemas: enterprise ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
    id: row.id,
    ...(row.external_id !== null && { externalId: row.external_id }),
    userName: p.userName ?? row.username,
    ...(name && { name }),
    ...(displayName !== undefined && { displayName }),
    active: row.status === 'active',
    ...(emails && { emails }),
  };
  for (const key of PROFILE_STRINGS) if (p[key] !== undefined) doc[key] = p[key];
  for (const key of PROFILE_LISTS) if (p[key]) doc[key] = p[key];
  if (row.groups) doc.groups = row.groups.map((g) => ({ ...g, $ref: `${base}/Groups/${g.value}` }));
  if (enterprise) doc[ENTERPRISE_SCHEMA] = enterprise;
  doc.meta = {
    resourceType: 'User',
    created: new Date(row.created_at).toISOString(),
    lastModified: new Date(row.updated_at).toISOString(),
    location: `${base}/Users/${row.id}`,
    version: etagOf(row.version),
  };
  return doc;
}

function decorateManager(enterprise: Json, base: string): Json {
  const manager = enterprise.manager as Json | undefined;
  if (!manager?.value) return enterprise;
  return { ...enterprise, manager: { ...manager, $ref: `${base}/Users/${String(manager.value)}` } };
}

/** What a SCIM User document says about the member's own columns and its profile. */
export interface UserFields {
  username: string;
  email: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  active: boolean;
  externalId: string | null;
  profile: Profile;
}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The longest value each string attribute may have: the same limits as the admin API for the
 * member's own columns (names, display name), a key's length for externalId, and a generous
 * bound for the free-form profile strings, which are only stored and returned.
 */
const MAX_LENGTH: Record<string, number> = {
  displayName: 200,
  givenName: 100,
  familyName: 100,
  formatted: 300,
  externalId: 255,
};
const PROFILE_STRING_MAX = 1024;

function optionalString(doc: Json, key: string): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalidValue(`${key} must be a string`);
  const max = MAX_LENGTH[key] ?? PROFILE_STRING_MAX;
  if (v.length > max) throw invalidValue(`${key} must be at most ${max} characters`);
  return v;
}

/** A boolean, or the "True"/"False" strings Entra sends for one. */
function scimBoolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  throw invalidValue(`${name} must be a boolean (true or false; got ${JSON.stringify(value)})`);
}

/** Each multi-valued attribute's sub-attribute names by their lower-case spelling. */
const SUB_ATTRIBUTES = new Map(
  USER_ATTRIBUTES.filter((a) => a.multiValued).map((a) => [
    a.name,
    new Map((a.subAttributes ?? []).map((sub) => [sub.name.toLowerCase(), sub.name])),
  ]),
);

/**
 * One entry as the identity provider sent it, with the schema's spelling of the sub-attribute
 * names it knows (names are case-insensitive, RFC 7643 §2.1: Entra's collection sends "Primary"),
 * without the null ones (null is unassigned, RFC 7643 §2.5) and `primary` as a real boolean.
 */
function entry(key: string, e: Json, i: number): Json {
  const names = SUB_ATTRIBUTES.get(key);
  const out: Json = {};
  for (const [name, value] of Object.entries(e)) {
    if (value === null) continue;
    out[names?.get(name.toLowerCase()) ?? name] = value;
  }
  if (out.primary !== undefined) out.primary = scimBoolean(out.primary, `${key}[${i}].primary`);
  return out;
}

function multiValued(doc: Json, key: string): Json[] | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every(isObject))
    throw invalidValue(`${key} must be an array of objects`);
  const entries = (v as Json[]).map((e, i) => entry(key, e, i));
  return entries.length > 0 ? entries : undefined;
}

/**
 * The member's email: the primary (else first) address, else the userName when it is an address,
 * else none (the organization's stand-in, if it has one, is applied when stored).
 */
function primaryEmail(emails: Json[] | undefined, userName: string): string | null {
  const chosen = emails?.find((e) => e.primary === true) ?? emails?.[0];
  const value = typeof chosen?.value === 'string' ? chosen.value.trim() : '';
  if (value) {
    const problem = providerEmailProblem(value);
    if (problem) throw invalidValue(`emails: the primary email ${problem}`);
    return value;
  }
  return providerEmailProblem(userName) === null ? userName : null;
}

function compact(obj: Json): Json | undefined {
  const kept = Object.fromEntries(
    Object.entries(obj).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  );
  return Object.keys(kept).length > 0 ? kept : undefined;
}

export function fromScimUser(doc: Json): UserFields {
  const userName = doc.userName;
  if (typeof userName !== 'string' || userName.trim() === '')
    throw invalidValue('userName is required');
  if (userName.length > 128) throw invalidValue('userName must be at most 128 characters');
  const emails = multiValued(doc, 'emails');
  const email = primaryEmail(emails, userName);
  const name = doc.name === undefined || doc.name === null ? {} : doc.name;
  if (!isObject(name)) throw invalidValue('name must be an object');
  const displayName = optionalString(doc, 'displayName');
  const given = {
    firstName: optionalString(name, 'givenName'),
    lastName: optionalString(name, 'familyName'),
  };
  // Names come from the name parts, else the display or formatted name, else the userName.
  let names = deriveNames({ ...given, name: displayName ?? optionalString(name, 'formatted') });
  if (!names.ok) names = deriveNames({ ...given, name: userName.split('@')[0] });
  if (!names.ok) throw invalidValue(names.reason);
  const active =
    doc.active === undefined || doc.active === null ? true : scimBoolean(doc.active, 'active');
  const externalId = optionalString(doc, 'externalId') ?? null;
  const enterprise = doc[ENTERPRISE_SCHEMA];
  if (enterprise !== undefined && enterprise !== null && !isObject(enterprise))
    throw invalidValue(`${ENTERPRISE_SCHEMA} must be an object`);

  const username = enterpriseAccountName(userName);
  const profile: Profile = {
    asSent: true,
    ...(username !== userName && { userName }),
    displayName,
    name: compact(Object.fromEntries(NAME_PARTS.map((k) => [k, optionalString(name, k)]))),
    emails,
    ...Object.fromEntries(PROFILE_LISTS.map((key) => [key, multiValued(doc, key)])),
    enterprise: enterprise ? enterpriseProfile(enterprise) : undefined,
  };
  for (const key of PROFILE_STRINGS) {
    const value = optionalString(doc, key);
    if (value !== undefined) profile[key] = value;
  }
  return {
    username,
    email,
    firstName: names.firstName,
    lastName: names.lastName,
    displayName: displayName ?? names.displayName,
    active,
    externalId,
    profile: (compact(profile as Json) as Profile) ?? {},
  };
}

/** Entra sends the manager as a bare id, an object, or "" to clear it. */
function enterpriseProfile(enterprise: Json): Json | undefined {
  const out: Json = {};
  for (const key of ['employeeNumber', 'costCenter', 'organization', 'division', 'department']) {
    const value = optionalString(enterprise, key);
    if (value !== undefined) out[key] = value;
  }
  const manager = Array.isArray(enterprise.manager) ? enterprise.manager[0] : enterprise.manager;
  if (typeof manager === 'string' && manager !== '') out.manager = { value: manager };
  else if (isObject(manager) && typeof manager.value === 'string' && manager.value !== '')
    out.manager = { value: manager.value };
  return compact(out);
}
