import { z } from 'zod';
import { type CatalogRole, parameterRequired } from '../catalog/compatibility.ts';
import { isAdministratorRole } from '../access/privileges.ts';
import { ValidationError } from '../errors.ts';
import { emailProblem } from '../members/email-rules.ts';
import type { Organization } from '../orgs/organizations.ts';
import { INVITATION_MODES, MAIL_LANGUAGES } from './invitation-rules.ts';

// What an invitation request may say, and the checks of it that need no database: the
// addresses, the mode's fields, the role and its parameter.

export const createInvitationSchema = z
  .object({
    emails: z
      .array(z.string().trim())
      .min(1, 'give at least one email address')
      .max(500, 'at most 500 addresses at once')
      .optional(),
    email: z.string().trim().optional(),
    /** null gives no role, when the organization allows it (the partner portal: "Falls keine Rolle ausgewählt wird"). */
    role: z.string().trim().min(1).nullable().optional(),
    /** The parameter of a role that needs one (the partner portal's Vertex ID of some roles). */
    roleParameter: z.string().trim().min(1).max(200).optional(),
    userType: z.string().trim().min(1).optional(),
    groups: z.array(z.string().min(1)).max(500).optional(),
    licenses: z.array(z.string().min(1).max(100)).max(100).optional(),
    language: z.enum(MAIL_LANGUAGES).default('en'),
    message: z.string().max(2000, 'must be at most 2000 characters').optional(),
    mode: z.enum(INVITATION_MODES).default('any-account'),
    mustUseInvitedEmail: z.boolean().default(false),
    username: z.string().trim().optional(),
    password: z.string().optional(),
    firstName: z.string().trim().max(100).optional(),
    lastName: z.string().trim().max(100).optional(),
    source: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
      .optional(),
    externalId: z.string().min(1).max(1000).optional(),
  })
  .strict();

export type CreateRequest = z.infer<typeof createInvitationSchema>;

export function addresses(request: CreateRequest): string[] {
  const list = [...(request.emails ?? []), ...(request.email !== undefined ? [request.email] : [])];
  const issues = list.flatMap((email, i) => {
    const problem = emailProblem(email);
    return problem
      ? [
          {
            field: request.emails ? `emails.${i}` : 'email',
            message: `${JSON.stringify(email)} ${problem}`,
          },
        ]
      : [];
  });
  if (list.length === 0)
    issues.push({
      field: 'email',
      message: 'give the address to invite (email, or emails for several)',
    });
  const seen = new Set<string>();
  for (const email of list) {
    if (seen.has(email.toLowerCase()))
      issues.push({ field: 'emails', message: `${email} is listed twice` });
    seen.add(email.toLowerCase());
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return list;
}

/** An invitation that gives no role: only where the organization allows it, and then with no parameter. */
export function checkWithoutRole(request: CreateRequest, org: Organization): void {
  if (!org.allowInvitationsWithoutRole)
    throw ValidationError.field(
      'role',
      'an invitation without a role needs the organization to allow it (allowInvitationsWithoutRole); name a role instead',
    );
  if (request.roleParameter)
    throw ValidationError.field('roleParameter', 'an invitation without a role takes no parameter');
}

export function checkRequest(
  request: CreateRequest,
  count: number,
  role: CatalogRole,
  org: Organization,
): void {
  const needsUsername =
    request.mode === 'add-and-notify' || request.mode === 'add-without-invitation';
  if (needsUsername && !request.username)
    throw ValidationError.field(
      'username',
      `is required in the ${request.mode} mode (the username is created for the member)`,
    );
  if (!needsUsername && request.username)
    throw ValidationError.field(
      'username',
      'the invitee chooses a username in this mode; use add-and-notify to create it',
    );
  if (request.username && count > 1)
    throw ValidationError.field(
      'username',
      'a username can be given only when inviting one address',
    );
  if (request.password !== undefined && request.mode !== 'add-without-invitation')
    throw ValidationError.field(
      'password',
      'only the add-without-invitation mode takes a (temporary) password; invitees set their own',
    );
  // Without a role, the member's role is the organization's default, not the invitation's.
  if (request.role === null) return;
  if (role.parameterName && parameterRequired(role) && !request.roleParameter)
    throw ValidationError.field('roleParameter', `role ${role.name} needs a ${role.parameterName}`);
  if (!role.parameterName && request.roleParameter)
    throw ValidationError.field('roleParameter', `role ${role.name} takes no parameter`);
  if (isAdministratorRole(role) && !org.allowAdminInvitations) {
    throw ValidationError.field(
      'role',
      `${role.name} is an administrator role, which invitations cannot give unless the organization allows it (allowAdminInvitations)`,
    );
  }
}
