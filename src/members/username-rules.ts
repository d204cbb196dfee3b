// Usernames follow the rule of the way the account is created. Accounts an administrator creates
// (one by one, from a file, by invitation) and the username an invitee picks when accepting an
// invitation: 6–128 ASCII letters, digits, '.', '_' or '@' (ArcGIS Online, where invitations come
// from). Accounts people create themselves through self-registration: 6–128 ASCII letters, digits
// or underscores.
// Either way unique per organization compared case-insensitively (the schema's unique index on
// lower(username) enforces that part).

const USERNAME_MIN = 6;
export const USERNAME_MAX = 128;
const ALLOWED = /^[A-Za-z0-9._@]+$/;

/** Returns why the username is refused, or null when it is acceptable. */
export function usernameProblem(username: string): string | null {
  if (username.length < USERNAME_MIN || username.length > USERNAME_MAX) {
    return `must be ${USERNAME_MIN} to ${USERNAME_MAX} characters long (got ${username.length})`;
  }
  if (!ALLOWED.test(username)) {
    const bad = [...new Set([...username].filter((c) => !/[A-Za-z0-9._@]/.test(c)))];
    const shown = bad.map((c) => (c === ' ' ? 'space' : JSON.stringify(c))).join(', ');
    return `may contain only ASCII letters, digits, '.', '_' and '@' (found ${shown})`;
  }
  return null;
}

const SELF_CHOSEN = /^[A-Za-z0-9_]+$/;

/** The rule for a username a person chooses for their own account; null when acceptable. */
export function selfChosenUsernameProblem(username: string): string | null {
  if (username.length < USERNAME_MIN || username.length > USERNAME_MAX) {
    return `must be ${USERNAME_MIN} to ${USERNAME_MAX} characters long (got ${username.length})`;
  }
  if (!SELF_CHOSEN.test(username)) {
    const bad = [...new Set([...username].filter((c) => !/[A-Za-z0-9_]/.test(c)))];
    const shown = bad.map((c) => (c === ' ' ? 'space' : JSON.stringify(c))).join(', ');
    return `may contain only ASCII letters, digits and underscores when you create your own account (found ${shown})`;
  }
  return null;
}
