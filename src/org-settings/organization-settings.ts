import type { Knex } from 'knex';
import { z } from 'zod';
import { type Scope, requireAdministrator } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ValidationError } from '../errors.ts';
import { findLicense } from '../licenses/license-rules.ts';
import { loadLicenses } from '../licenses/license-store.ts';
import { emailProblem } from '../members/email-rules.ts';
import { creditsSchema } from '../members/member-input.ts';
import { type Organization, findOrganization, toOrganization } from '../orgs/organizations.ts';
import { parseInput } from '../validation.ts';
import { checkedDefaults, mergeDefaults } from './member-defaults.ts';

// What administrators change of their organization: its name, limits, invitation settings and
// the defaults for new members, each checked against the members' own rules (addresses, credits)
// and the organization's catalog before anything is written.

/** A change of the defaults: given keys replace the current ones; null puts one back to the built-in default (credits: null is unlimited). */
const defaultsSchema = z
  .object({
    userType: z.string().min(1).nullable(),
    role: z.string().min(1).nullable(),
    groups: z.array(z.string().min(1)).max(100).nullable(),
    licenses: z.array(z.string().min(1)).max(100).nullable(),
    credits: creditsSchema.nullable(),
    categories: z.array(z.string().min(1)).max(20).nullable(),
    settings: z.record(z.string(), z.unknown()).nullable(),
    standInEmail: z
      .string()
      .refine(
        (e) => emailProblem(e) === null,
        'must be an address like name@domain, without an apostrophe',
      )
      .nullable(),
  })
  .partial()
  .strict();

export const organizationUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    membershipLimit: z.number().int().positive().max(1_000_000_000).nullable(),
    allowAdminInvitations: z.boolean(),
    allowInvitationsWithoutRole: z.boolean(),
    scimPasswordPush: z.boolean(),
    invitationExpiryDays: z.number().int().min(1).max(365),
    newMemberDefaults: defaultsSchema,
  })
  .partial()
  .strict();

export async function updateOrganization(
  db: Knex,
  scope: Scope,
  input: unknown,
): Promise<Organization> {
  requireAdministrator(scope.actor, 'changing the organization settings');
  const patch = parseInput(organizationUpdateSchema, input);
  if (patch.newMemberDefaults?.licenses)
    patch.newMemberDefaults.licenses = await catalogLicenseNames(
      db,
      scope.orgId,
      patch.newMemberDefaults.licenses,
    );
  return db.transaction(async (trx) => {
    const before = await findOrganization(trx, scope.orgId);
    const defaults =
      patch.newMemberDefaults === undefined
        ? undefined
        : await checkedDefaults(
            trx,
            scope.orgId,
            mergeDefaults(before.newMemberDefaults, patch.newMemberDefaults),
          );
    const [row] = await trx('organizations')
      .where('id', scope.orgId)
      .update({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.membershipLimit !== undefined && { membership_limit: patch.membershipLimit }),
        ...(patch.allowAdminInvitations !== undefined && {
          allow_admin_invitations: patch.allowAdminInvitations,
        }),
        ...(patch.allowInvitationsWithoutRole !== undefined && {
          allow_invitations_without_role: patch.allowInvitationsWithoutRole,
        }),
        ...(patch.scimPasswordPush !== undefined && {
          scim_password_push: patch.scimPasswordPush,
        }),
        ...(patch.invitationExpiryDays !== undefined && {
          invitation_expiry_days: patch.invitationExpiryDays,
        }),
        ...(defaults !== undefined && {
          new_member_defaults: JSON.stringify(defaults),
        }),
        updated_at: trx.fn.now(),
      })
      .returning('*');
    const after = toOrganization(row!);
    await recordAudit(trx, {
      orgId: scope.orgId,
      actor: scope.actor,
      action: 'organization.update',
      targetType: 'organization',
      targetId: scope.orgId,
      before,
      after,
    });
    return after;
  });
}

/** Default licences are names of the organization's catalog, stored as the catalog spells them. */
async function catalogLicenseNames(db: Knex, orgId: string, names: string[]): Promise<string[]> {
  const catalog = await loadLicenses(db, orgId);
  const issues: Array<{ field: string; message: string }> = [];
  const found = names.flatMap((name, i) => {
    const license = findLicense(catalog, name);
    if (license) return [license.name];
    issues.push({
      field: `newMemberDefaults.licenses.${i}`,
      message: `unknown licence ${JSON.stringify(name)}; the organization's licences: ${catalog.map((l) => l.name).join(', ') || 'none (define them with licenses create)'}`,
    });
    return [];
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return [...new Set(found)];
}
