import { hash } from 'node:crypto';
import type { Catalog } from '../catalog/catalog-store.ts';
import { findRole, findUserType, roleGrantIssues } from '../catalog/compatibility.ts';
import { providerEmailProblem } from '../members/email-rules.ts';
import { enterpriseAccountName } from '../members/enterprise-login.ts';
import { deriveNames } from '../members/name-derivation.ts';
import type { SourceUser } from '../plugin-api.ts';
import type { RoleRule } from './sync-policy.ts';

// A directory user to the member it should be: pure, so the rules are tested without I/O.
// Role and user type come from the first role rule naming one of the user's enterprise groups;
// with no rule matching they are the organization's defaults at creation and left alone after.

export interface DesiredMember {
  username: string;
  /** null: the directory gives none and the organization has no stand-in address. */
  email: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  disabled: boolean;
  /** Set only when a role rule matched: the member's role then follows the directory. */
  roleId: string | null;
  userTypeId: string | null;
  /** Profile attributes from the source's attribute map (stored under the member's profile `directory`). */
  profile: Record<string, string>;
  hash: string;
}

export type Mapped = { ok: true; member: DesiredMember } | { ok: false; reason: string };

export interface MappingContext {
  catalog: Catalog;
  rules: RoleRule[];
  defaults: { userType: string; role: string };
  /** The address that stands in for members whose directory entry has none. */
  standInEmail?: string | null | undefined;
}

/** The first rule naming one of the groups (by DN, or by the group's own name, its first RDN value). */
export function matchingRule(rules: RoleRule[], groups: string[]): RoleRule | null {
  if (rules.length === 0) return null;
  const names = new Set(
    groups.flatMap((dn) => [
      dn.toLowerCase(),
      (/^[^=]+=([^,]+)/.exec(dn)?.[1] ?? '').toLowerCase(),
    ]),
  );
  return rules.find((r) => names.has(r.group.toLowerCase())) ?? null;
}

/** One call, no Hash object: a full sync hashes every record it reads. */
export function contentHash(parts: unknown[]): string {
  return hash('sha256', JSON.stringify(parts), 'base64url').slice(0, 27);
}

export function mapUser(user: SourceUser, ctx: MappingContext): Mapped {
  // The directory is where this identity lives: an entry without an address is a member without
  // one (or with the stand-in), and an address is checked as RFC 5321 allows, apostrophes included.
  const given = (user.email ?? '').trim();
  const emailIssue = given === '' ? null : providerEmailProblem(given);
  if (emailIssue) return { ok: false, reason: `email ${emailIssue}` };
  const email = given === '' ? (ctx.standInEmail ?? null) : given;
  const names = deriveNames({
    firstName: user.firstName,
    lastName: user.lastName,
    name: user.displayName || user.login,
  });
  if (!names.ok) return { ok: false, reason: names.reason };
  const username = enterpriseAccountName(user.login);
  if (username.length > 128)
    return { ok: false, reason: 'the login is longer than 128 characters' };
  const rule = matchingRule(ctx.rules, user.groups);
  let roleId: string | null = null;
  let userTypeId: string | null = null;
  if (rule) {
    const userType = findUserType(ctx.catalog.userTypes, rule.userType ?? ctx.defaults.userType);
    const role = findRole(ctx.catalog.roles, rule.role ?? ctx.defaults.role);
    if (!userType || !role)
      return {
        ok: false,
        reason: `role rule for ${rule.group} names an unknown role or user type`,
      };
    const issues = roleGrantIssues(
      [{ role, parameter: null, field: 'role' }],
      userType,
      ctx.catalog.roles,
    );
    if (issues.length > 0)
      return {
        ok: false,
        reason: `role rule for ${rule.group}: ${issues.map((i) => i.message).join('; ')}`,
      };
    roleId = role.id;
    userTypeId = userType.id;
  }
  const profile = user.profile ?? {};
  // The profile joins the hash only when there is one, so a member without profile attributes
  // keeps the hash it had before profiles were mapped (no rewrite of every member on upgrade).
  const profileKeys = Object.keys(profile).sort();
  const profilePart = profileKeys.length === 0 ? [] : [profileKeys.map((k) => [k, profile[k]])];
  return {
    ok: true,
    member: {
      username,
      email,
      firstName: names.firstName,
      lastName: names.lastName,
      displayName: names.displayName,
      disabled: user.disabled,
      roleId,
      userTypeId,
      profile,
      hash: contentHash([
        username,
        email,
        names.firstName,
        names.lastName,
        names.displayName,
        user.disabled,
        roleId,
        userTypeId,
        user.ref,
        ...profilePart,
      ]),
    },
  };
}
