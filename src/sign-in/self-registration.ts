import type { Knex } from 'knex';
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { createMember } from '../members/member-service.ts';
import { selfChosenUsernameProblem } from '../members/username-rules.ts';
import type { Member } from '../members/member-record.ts';
import type { PasswordHasher } from '../plugin-api.ts';
import { parseInput } from '../validation.ts';

// "Allow users to create built-in accounts" (Portal for ArcGIS): when the built-in source allows it, anyone
// may create an account with first name, last name, username, password and email. The member gets
// the organization's default user type and role (the member use case applies them), and the
// password is their own, so it is not temporary. The username follows the rule for accounts
// people create themselves: letters, digits and underscores only.

const signUpSchema = z
  .object({
    firstName: z.string().trim().min(1, 'is required').max(100),
    lastName: z.string().trim().min(1, 'is required').max(100),
    username: z.string().trim().min(1, 'is required'),
    email: z.string().trim().min(1, 'is required'),
    password: z.string().min(1, 'is required'),
  })
  .strict();

export async function registerBuiltinAccount(
  deps: { db: Knex; hasher: PasswordHasher },
  orgId: string,
  input: unknown,
): Promise<Member> {
  const request = parseInput(signUpSchema, input);
  const problem = selfChosenUsernameProblem(request.username);
  if (problem) throw ValidationError.field('username', problem);
  return createMember(
    deps,
    {
      orgId,
      actor: { type: 'system', id: null, label: 'self-registration', access: 'administrator' },
    },
    {
      ...request,
      source: 'builtin',
      mustChangePassword: false,
    },
  );
}
