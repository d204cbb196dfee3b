import { z } from 'zod';

// The shapes the API and CLI accept for members. Shape only: the member rules (username,
// password, catalog) are checked by member-rules.ts against the organization.

/** Credits are stored with 2 decimals and 12 digits before the point. */
export const creditsSchema = z
  .number()
  .nonnegative()
  .max(999_999_999_999.99, 'must be at most 999999999999.99')
  .nullable();

const roleGrant = z
  .object({ role: z.string().min(1), parameter: z.string().max(200).nullable().optional() })
  .strict();

const common = {
  email: z.string().trim(),
  firstName: z.string().trim().max(100),
  lastName: z.string().trim().max(100),
  displayName: z.string().trim().max(200),
  description: z.string().max(250, 'must be at most 250 characters'),
  userType: z.string().min(1),
  role: z.string().min(1),
  roleParameter: z.string().max(200).nullable(),
  additionalRoles: z.array(roleGrant).max(20),
  groups: z.array(z.string().min(1)).max(500),
  licenses: z.array(z.string().min(1).max(100)).max(100),
  categories: z.array(z.string().min(1).max(100)).max(20, 'at most 20 categories'),
  credits: creditsSchema,
  settings: z.record(z.string(), z.unknown()),
};

export const createMemberSchema = z
  .object({
    username: z.string(),
    ...common,
    email: common.email,
    password: z.string().optional(),
    mustChangePassword: z.boolean().optional(),
    status: z.enum(['active', 'pending']).optional(),
    source: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
      .optional(),
  })
  .partial({
    firstName: true,
    lastName: true,
    displayName: true,
    description: true,
    userType: true,
    role: true,
    roleParameter: true,
    additionalRoles: true,
    groups: true,
    licenses: true,
    categories: true,
    credits: true,
    settings: true,
  })
  .strict();

export type CreateMemberInput = z.infer<typeof createMemberSchema>;

export const updateMemberSchema = z
  .object({
    username: z.string(),
    ...common,
    password: z.string(),
    mustChangePassword: z.boolean(),
  })
  .partial()
  .strict();

export const deleteMemberSchema = z
  .object({
    transferTo: z.string().min(1).optional(),
  })
  .strict();
