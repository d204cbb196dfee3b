// The CSV import modes of ArcGIS Online (add and invite modes) and of Portal for
// ArcGIS (built-in and enterprise members), each with the header line of its template and the
// labels a file may use for each column: the English names and the French labels of the
// administrators' guides.

export type ImportField =
  | 'email'
  | 'firstName'
  | 'lastName'
  | 'username'
  | 'password'
  | 'userType'
  | 'role'
  | 'identityType'
  | 'id'
  | 'samlId'
  | 'oidcId';

/** How the rows of a mode become members. */
export type AccountKind = 'builtin' | 'enterprise' | 'org-id' | 'invitation';

export const MODE_IDS = [
  'add',
  'add-org-ids',
  'add-notify',
  'invite-any',
  'invite-org-logins',
  'portal-builtin',
  'portal-enterprise',
] as const;
export type ModeId = (typeof MODE_IDS)[number];

export interface ImportMode {
  id: ModeId;
  title: string;
  account: AccountKind;
  /** The template's header line, in the order the guide shows it. */
  template: ImportField[];
  required: ImportField[];
  optional: ImportField[];
  /** Administrator roles are never granted through an invitation unless the policy allows it. */
  invitation: boolean;
}

/** The languages a template can be downloaded in (ArcGIS Online: "dans la langue spécifiée"). */
export const TEMPLATE_LANGUAGES = ['en', 'fr', 'de'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

/**
 * Each column's label in English, French and German. The first French label is the guide's own
 * wording (typographic apostrophe included), the one a French template carries; the others are
 * also accepted on import. German labels follow the wording of the German administrators'
 * guide ("Rolle").
 */
export const FIELD_LABELS: Record<
  ImportField,
  { english: string; french: string[]; german: string[] }
> = {
  email: { english: 'Email', french: ['Adresse électronique'], german: ['E-Mail'] },
  firstName: { english: 'First Name', french: ['Prénom'], german: ['Vorname'] },
  lastName: { english: 'Last Name', french: ['Nom'], german: ['Nachname'] },
  username: {
    english: 'Username',
    french: ['Nom d’utilisateur', "Nom d'utilisateur"],
    german: ['Benutzername'],
  },
  password: { english: 'Password', french: ['Mot de passe'], german: ['Passwort', 'Kennwort'] },
  userType: {
    english: 'User Type',
    french: ['Type d’utilisateur', "Type d'utilisateur"],
    german: ['Benutzertyp'],
  },
  role: { english: 'Role', french: ['Rôle'], german: ['Rolle'] },
  identityType: {
    english: 'Identity type',
    french: ['Type d’identité', "Type d'identité"],
    german: ['Identitätstyp'],
  },
  id: { english: 'ID', french: ['ID', 'Identifiant'], german: ['ID'] },
  samlId: { english: 'SAML ID', french: ['ID SAML'], german: ['SAML-ID'] },
  oidcId: {
    english: 'OpenID Connect ID',
    french: ['ID OpenID Connect'],
    german: ['OpenID-Connect-ID'],
  },
};

/** A column's label in the template of a language. */
function fieldLabel(field: ImportField, language: TemplateLanguage = 'en'): string {
  const labels = FIELD_LABELS[field];
  if (language === 'fr') return labels.french[0]!;
  if (language === 'de') return labels.german[0]!;
  return labels.english;
}

const PERSON: ImportField[] = ['email', 'firstName', 'lastName'];

export const IMPORT_MODES: Record<ModeId, ImportMode> = {
  add: {
    id: 'add',
    title: 'add members without sending invitations',
    account: 'builtin',
    invitation: false,
    template: ['email', 'firstName', 'lastName', 'username', 'password', 'userType', 'role'],
    required: ['email', 'username', 'password'],
    optional: ['firstName', 'lastName', 'userType', 'role'],
  },
  'add-org-ids': {
    id: 'add-org-ids',
    title: 'add members with their organization-specific (SAML or OpenID Connect) IDs',
    account: 'org-id',
    invitation: false,
    template: ['email', 'firstName', 'lastName', 'identityType', 'id', 'userType', 'role'],
    required: ['email'],
    optional: [
      'firstName',
      'lastName',
      'identityType',
      'id',
      'samlId',
      'oidcId',
      'userType',
      'role',
    ],
  },
  'add-notify': {
    id: 'add-notify',
    title: 'add members and notify them by email',
    account: 'invitation',
    invitation: true,
    template: ['email', 'firstName', 'lastName', 'username', 'userType', 'role'],
    required: ['email', 'username'],
    optional: ['firstName', 'lastName', 'userType', 'role'],
  },
  'invite-any': {
    id: 'invite-any',
    title: 'invite members to join with an account of their choice',
    account: 'invitation',
    invitation: true,
    template: ['email', 'userType', 'role'],
    required: ['email'],
    optional: ['userType', 'role'],
  },
  'invite-org-logins': {
    id: 'invite-org-logins',
    title: 'invite members to join with their organization-specific logins',
    account: 'invitation',
    invitation: true,
    template: ['email', 'userType', 'role'],
    required: ['email'],
    optional: ['userType', 'role'],
  },
  'portal-builtin': {
    id: 'portal-builtin',
    title: 'built-in portal members',
    account: 'builtin',
    invitation: false,
    template: ['firstName', 'lastName', 'email', 'username', 'password', 'role', 'userType'],
    required: ['email', 'username', 'password'],
    optional: ['firstName', 'lastName', 'userType', 'role'],
  },
  'portal-enterprise': {
    id: 'portal-enterprise',
    title: 'enterprise members: SAML, LDAP or Active Directory (domain\\user) logins',
    account: 'enterprise',
    invitation: false,
    template: ['firstName', 'lastName', 'email', 'username', 'role', 'userType'],
    required: ['username'],
    optional: [...PERSON, 'userType', 'role'],
  },
};

/** The downloadable template: UTF-8, the header line in the language asked (every language imports). */
export function templateOf(mode: ImportMode, language: TemplateLanguage = 'en'): string {
  return `${mode.template.map((f) => fieldLabel(f, language)).join(',')}\r\n`;
}
