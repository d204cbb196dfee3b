import { z } from 'zod';

// The answers of the organization endpoints, shared by the handlers (which parse what they send)
// and the OpenAPI document.

const newMemberDefaultsSchema = z.object({
  userType: z.string().optional().describe('default user type (Creator when not set)'),
  role: z.string().optional().describe('default role (User when not set)'),
  groups: z.array(z.string()).optional(),
  licenses: z.array(z.string()).optional(),
  credits: z.number().nullable().optional().describe('null: unlimited'),
  categories: z.array(z.string()).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});

export const organizationSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  membershipLimit: z.number().int().nullable().describe('null: no limit'),
  allowAdminInvitations: z.boolean(),
  allowInvitationsWithoutRole: z
    .boolean()
    .describe('invitations may give no role: the invitee gets only the defaults for new members'),
  scimPasswordPush: z
    .boolean()
    .describe('a password an identity provider sends over SCIM becomes the built-in password'),
  invitationExpiryDays: z.number().int(),
  newMemberDefaults: newMemberDefaultsSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});

const count = z.number().int();

export const overviewSchema = z.object({
  organization: z.object({ id: z.string(), name: z.string() }),
  members: z.object({
    total: count,
    byStatus: z.object({ pending: count, active: count, disabled: count }),
    byUserType: z.array(z.object({ userType: z.string(), count })),
    signedIn: count.describe('members who have signed in at least once'),
  }),
  pendingInvitations: count.describe('open invitations not expired'),
  licenses: z.array(z.object({ license: z.string(), count })).describe('add-on licences in use'),
  membershipLimit: z.object({
    limit: count.nullable(),
    used: count,
    available: count.nullable(),
  }),
  sources: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      lastRun: z
        .object({
          id: z.string().nullable(),
          mode: z.string(),
          status: z.string(),
          startedAt: z.string(),
          finishedAt: z.string().nullable(),
          error: z.string().nullable(),
        })
        .nullable(),
    }),
  ),
});
