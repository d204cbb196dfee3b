import { passwordProblem } from '../members/password-policy.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import type { PatchOperation } from './patch-ops.ts';
import { invalidValue } from './scim-error.ts';

// Password push: Okta's "Sync password" and Entra's password provisioning send the member's
// password in POST, PUT or PATCH. With the organization's scimPasswordPush on, it becomes the
// member's built-in password, checked against the password policy and hashed (argon2id); with it
// off it is discarded. Either way it is never stored as sent, echoed, audited or logged.
// @see https://www.rfc-editor.org/rfc/rfc7643#section-4.1.1 (password: writeOnly, returned never)

type Json = Record<string, unknown>;

function asPassword(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidValue('password must be a string');
  return value;
}

/** The password a POST or PUT body carries, if any. */
export function passwordInBody(body: Json): string | undefined {
  return asPassword(body.password);
}

/** The password a PATCH sets (`path: password`, or a path-less value with one); the last wins. */
export function passwordInPatch(operations: readonly PatchOperation[]): string | undefined {
  let password: string | undefined;
  for (const op of operations) {
    if (op.op === 'remove') continue;
    if (op.path !== null && op.path.toLowerCase() === 'password')
      password = asPassword(op.value) ?? password;
    else if (op.path === null && typeof op.value === 'object' && op.value !== null) {
      const entry = Object.entries(op.value).find(([key]) => key.toLowerCase() === 'password');
      if (entry) password = asPassword(entry[1]) ?? password;
    }
  }
  return password;
}

/** The member columns a pushed password writes: none when push is off or nothing was sent. */
export async function pushedPasswordColumns(
  push: boolean,
  password: string | undefined,
  username: string,
  hasher: PasswordHasher,
): Promise<{ password_hash: string; must_change_password: boolean } | Record<string, never>> {
  if (!push || password === undefined) return {};
  const problem = passwordProblem(password, username);
  if (problem) throw invalidValue(`password: ${problem}`);
  return { password_hash: await hasher.hash(password), must_change_password: false };
}
