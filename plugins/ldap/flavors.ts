import type { LdapSourceConfig } from './config.ts';

// What differs between directories, per flavor. The configuration may override each default.

export interface FlavorSettings {
  idAttribute: string;
  /** The id attribute is binary (AD objectGUID) and needs its text form. */
  binaryId: boolean;
  loginAttribute: string;
  userFilter: string;
  groupFilter: string;
  nested: boolean;
  /**
   * How changes are found: entryCSN (OpenLDAP: microsecond precision, so a token re-reads at most
   * the entries of its own microsecond), modifyTimestamp (generic: one-second precision), or
   * uSNChanged (AD).
   */
  changes: 'entryCSN' | 'modifyTimestamp' | 'uSNChanged';
  /** Member profile field to the directory attribute it is read from. */
  profile: Record<ProfileField, string>;
}

export const PROFILE_FIELDS = [
  'department',
  'title',
  'employeeNumber',
  'phone',
  'manager',
] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];

const INET_ORG_PERSON_PROFILE: Record<ProfileField, string> = {
  department: 'departmentNumber',
  title: 'title',
  employeeNumber: 'employeeNumber',
  phone: 'telephoneNumber',
  manager: 'manager',
};

const FLAVORS: Record<LdapSourceConfig['flavor'], FlavorSettings> = {
  openldap: {
    idAttribute: 'entryUUID',
    binaryId: false,
    loginAttribute: 'uid',
    userFilter: '(objectClass=inetOrgPerson)',
    groupFilter: '(objectClass=groupOfNames)',
    nested: false,
    changes: 'entryCSN',
    profile: INET_ORG_PERSON_PROFILE,
  },
  ad: {
    idAttribute: 'objectGUID',
    binaryId: true,
    loginAttribute: 'sAMAccountName',
    userFilter: '(&(objectCategory=person)(objectClass=user))',
    groupFilter: '(objectClass=group)',
    nested: true,
    changes: 'uSNChanged',
    profile: {
      department: 'department',
      title: 'title',
      employeeNumber: 'employeeID',
      phone: 'telephoneNumber',
      manager: 'manager',
    },
  },
  generic: {
    idAttribute: 'entryUUID',
    binaryId: false,
    loginAttribute: 'uid',
    userFilter: '(objectClass=inetOrgPerson)',
    groupFilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))',
    nested: false,
    changes: 'modifyTimestamp',
    profile: INET_ORG_PERSON_PROFILE,
  },
};

export function flavorSettings(config: LdapSourceConfig): FlavorSettings {
  const base = FLAVORS[config.flavor];
  return {
    ...base,
    loginAttribute: config.users.loginAttribute ?? base.loginAttribute,
    userFilter: config.users.filter ?? base.userFilter,
    groupFilter: config.groups?.filter ?? base.groupFilter,
    nested: config.groups?.nested ?? base.nested,
    profile: Object.fromEntries(
      PROFILE_FIELDS.map((f) => [f, config.users.attributes[f] ?? base.profile[f]]),
    ) as Record<ProfileField, string>,
  };
}

/** AD logins carry the domain: the configured one, or the first DC= of the base DN. */
export function adDomain(config: LdapSourceConfig): string {
  if (config.domain) return config.domain.toUpperCase();
  const dc = /(?:^|,)\s*dc=([^,]+)/i.exec(config.users.baseDN);
  return (dc?.[1] ?? 'DOMAIN').toUpperCase();
}
