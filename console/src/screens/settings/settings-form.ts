import type {
  GroupEntry,
  License,
  Organization,
  Role,
  UserTypeEntry,
} from '../../api/admin-types.ts';

// The organization settings as the form holds them (text as typed) and the PATCH they become.
// Numbers and lists are passed on as typed, so that the API, not the page, judges them and its
// messages name the field; only the settings object must be valid JSON before anything is sent.

export interface SettingsChoices {
  roles: Role[];
  userTypes: UserTypeEntry[];
  groups: GroupEntry[];
  licenses: License[];
}

export interface SettingsForm {
  name: string;
  membershipLimit: string;
  invitationExpiryDays: string;
  allowAdminInvitations: boolean;
  allowInvitationsWithoutRole: boolean;
  scimPasswordPush: boolean;
  userType: string;
  role: string;
  groups: string[];
  licenses: string[];
  categories: string;
  credits: string;
  settings: string;
}

export function formOf(org: Organization): SettingsForm {
  const d = org.newMemberDefaults;
  return {
    name: org.name,
    membershipLimit: org.membershipLimit === null ? '' : String(org.membershipLimit),
    invitationExpiryDays: String(org.invitationExpiryDays),
    allowAdminInvitations: org.allowAdminInvitations,
    allowInvitationsWithoutRole: org.allowInvitationsWithoutRole,
    scimPasswordPush: org.scimPasswordPush,
    // The built-in defaults when the organization has none of its own.
    userType: d.userType ?? 'Creator',
    role: d.role ?? 'User',
    groups: d.groups ?? [],
    licenses: d.licenses ?? [],
    categories: (d.categories ?? []).join(', '),
    credits: d.credits === null || d.credits === undefined ? '' : String(d.credits),
    settings:
      d.settings && Object.keys(d.settings).length > 0 ? JSON.stringify(d.settings, null, 2) : '',
  };
}

/** A number as typed; empty is null (no limit, unlimited), anything else goes to the API as is. */
function numberOf(text: string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

function settingsOf(text: string): Record<string, unknown> | null | 'invalid' {
  if (text.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // shown as the field's message below
  }
  return 'invalid';
}

export type Patch = { body: Record<string, unknown> } | { invalidSettings: true };

export function patchOf(form: SettingsForm): Patch {
  const settings = settingsOf(form.settings);
  if (settings === 'invalid') return { invalidSettings: true };
  return {
    body: {
      name: form.name,
      membershipLimit: numberOf(form.membershipLimit),
      invitationExpiryDays: numberOf(form.invitationExpiryDays),
      allowAdminInvitations: form.allowAdminInvitations,
      allowInvitationsWithoutRole: form.allowInvitationsWithoutRole,
      scimPasswordPush: form.scimPasswordPush,
      newMemberDefaults: {
        userType: form.userType,
        role: form.role,
        groups: form.groups,
        licenses: form.licenses,
        categories: form.categories
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
        credits: numberOf(form.credits),
        settings,
      },
    },
  };
}
