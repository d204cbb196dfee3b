// The ways to add members, as the invitations API names them, and what each
// asks for: invitation modes take email addresses, the add modes create one account.

const MODES = [
  'any-account',
  'organization-logins',
  'add-and-notify',
  'add-without-invitation',
] as const;

/** The wizard's first choice: an invitations mode, or adding from a directory source. */
export const CHOICES = [...MODES, 'directory'] as const;
export type Choice = (typeof CHOICES)[number];

export function createsAccount(mode: Choice): boolean {
  return mode === 'add-and-notify' || mode === 'add-without-invitation';
}

export interface WizardValues {
  mode: Choice;
  emails: string;
  username: string;
  firstName: string;
  lastName: string;
  password: string;
  role: string;
  roleParameter: string;
  userType: string;
  group: string;
  language: 'en' | 'fr' | 'de';
  message: string;
  source: string;
  externalId: string;
}

/** The body of POST /invitations for these values: only what the mode takes. */
export function requestBody(v: WizardValues): Record<string, unknown> {
  const emails = v.emails
    .split(/[\s,;]+/)
    .map((e) => e.trim())
    .filter(Boolean);
  const optional = (value: string) => (value.trim() ? value.trim() : undefined);
  const body: Record<string, unknown> = {
    mode: v.mode,
    emails,
    role: optional(v.role),
    roleParameter: optional(v.roleParameter),
    userType: optional(v.userType),
    groups: v.group ? [v.group] : undefined,
    language: v.language,
    message: optional(v.message),
  };
  if (createsAccount(v.mode)) {
    Object.assign(body, {
      username: optional(v.username),
      firstName: optional(v.firstName),
      lastName: optional(v.lastName),
      source: optional(v.source),
      externalId: optional(v.externalId),
    });
    if (v.mode === 'add-without-invitation') body.password = optional(v.password);
  }
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}
