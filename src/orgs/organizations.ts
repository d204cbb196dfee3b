import type { Knex } from 'knex';
import { z } from 'zod';
import { type Actor, requireAdministrator } from '../access/actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import {
  CATALOG_COLUMNS,
  type Catalog,
  type RoleRow,
  type UserTypeRow,
  catalogOf,
  seedCatalog,
} from '../catalog/catalog-store.ts';
import { DEFAULT_NEW_MEMBER } from '../catalog/default-catalog.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { selectRows } from '../store/prepared-select.ts';
import { SqlExpression } from '../store/one-statement.ts';
import { isNotNullViolation } from '../store/pg-errors.ts';
import type { OrganizationRow } from '../store/tables/organizations.ts';
import { isUuid } from '../store/uuid.ts';

export interface NewMemberDefaults {
  userType?: string;
  role?: string;
  groups?: string[];
  licenses?: string[];
  credits?: number | null;
  categories?: string[];
  settings?: Record<string, unknown>;
  /** Stored for members from an identity provider that sent no address (else they have none). */
  standInEmail?: string | null;
}

export interface Organization {
  id: string;
  name: string;
  slug: string;
  membershipLimit: number | null;
  allowAdminInvitations: boolean;
  /** Invitations may give no role: the invitee gets only the defaults for new members. */
  allowInvitationsWithoutRole: boolean;
  /** A password an identity provider sends over SCIM becomes the member's built-in password. */
  scimPasswordPush: boolean;
  invitationExpiryDays: number;
  newMemberDefaults: NewMemberDefaults;
  createdAt: string;
  updatedAt: string;
}

declare module '../store/tables/column-types.ts' {
  interface ColumnTypes {
    'organizations.new_member_defaults': NewMemberDefaults;
  }
}

export function toOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    membershipLimit: row.membership_limit,
    allowAdminInvitations: row.allow_admin_invitations,
    allowInvitationsWithoutRole: row.allow_invitations_without_role,
    scimPasswordPush: row.scim_password_push,
    invitationExpiryDays: row.invitation_expiry_days,
    newMemberDefaults: row.new_member_defaults,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

const slugSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'must be 1–63 lowercase letters, digits or dashes, starting with a letter or digit',
  );

const createSchema = z
  .object({ name: z.string().trim().min(1).max(200), slug: slugSchema.optional() })
  .strict();

function slugFrom(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (slug || 'organization').slice(0, 63);
}

export async function createOrganization(
  db: Knex,
  actor: Actor,
  input: unknown,
): Promise<Organization> {
  requireAdministrator(actor, 'creating an organization');
  const { name, slug } = parseInput(createSchema, input);
  return db.transaction(async (trx) => {
    const wanted = slug ?? slugFrom(name);
    const taken = await trx('organizations').whereRaw('lower(slug) = ?', [wanted]).first('id');
    if (taken) throw new ConflictError(`an organization with the slug "${wanted}" already exists`);
    const [row] = await trx('organizations')
      .insert({
        name,
        slug: wanted,
        new_member_defaults: JSON.stringify(DEFAULT_NEW_MEMBER),
      })
      .returning('*');
    await seedCatalog(trx, row!.id);
    const org = toOrganization(row!);
    await recordAudit(trx, {
      orgId: org.id,
      actor,
      action: 'organization.create',
      targetType: 'organization',
      targetId: org.id,
      after: org,
    });
    return org;
  });
}

export async function listOrganizations(db: Knex): Promise<Organization[]> {
  const rows = await db('organizations').orderBy('created_at');
  return rows.map(toOrganization);
}

/** Finds an organization by id or slug. */
export async function findOrganization(
  db: Knex | Knex.Transaction,
  ref: string,
): Promise<Organization> {
  const row = await db('organizations')
    .where((q) => {
      q.whereRaw('lower(slug) = lower(?)', [ref]);
      if (isUuid(ref)) q.orWhere('id', ref);
    })
    .first();
  if (!row) throw new NotFoundError('organization', ref);
  return toOrganization(row);
}

/**
 * The organization by id with its catalog, in one read: what a new member's defaults need. The
 * revision changes with every change of either (set by triggers).
 */
export async function findOrganizationWithCatalog(
  db: Knex | Knex.Transaction,
  id: string,
): Promise<{ org: Organization; catalog: Catalog; revision: string }> {
  const [row] = await selectRows<
    OrganizationRow & {
      revision: string;
      catalog_roles: RoleRow[];
      catalog_user_types: UserTypeRow[];
    }
  >(
    db,
    db('organizations as o')
      .join('organization_revisions as r', 'r.org_id', 'o.id')
      .where('o.id', id)
      .select('o.*', 'r.revision', db.raw(CATALOG_COLUMNS))
      .limit(1),
  );
  if (!row) throw new NotFoundError('organization', id);
  return { org: toOrganization(row), catalog: catalogOf(row), revision: row.revision };
}

/**
 * The organization's id, as a value a write computes, while the organization is still at
 * `revision`; else null, which every `org_id` column refuses. A write that took its values from
 * what was read at `revision` then fails (see `isOrganizationChanged`) rather than acting on an
 * organization or catalog that has changed since.
 */
export function organizationIdAt(id: string, revision: string): SqlExpression {
  return new SqlExpression(
    '(select org_id from organization_revisions where org_id = ?::uuid and revision = ?::uuid)',
    [id, revision],
  );
}

/** Whether a write failed because its `organizationIdAt` found the organization changed. */
export function isOrganizationChanged(error: unknown): boolean {
  return isNotNullViolation(error, 'org_id');
}

/**
 * What a SCIM change of a member reads of its organization, as one json column (`org_settings`)
 * beside a read of members `m`.
 */
export const MEMBER_WRITE_SETTINGS_COLUMN = `(select json_build_object('scimPasswordPush', o.scim_password_push, 'standInEmail', o.new_member_defaults->>'standInEmail')
  from organizations o where o.id = m.org_id) as org_settings`;

export interface MemberWriteSettings {
  scimPasswordPush: boolean;
  standInEmail: string | null;
}

/** The first start of a daemon creates the organization named in the configuration. */
export async function ensureDefaultOrganization(
  db: Knex,
  actor: Actor,
  name: string,
): Promise<Organization> {
  const first = await db('organizations').orderBy('created_at').first();
  if (first) return toOrganization(first);
  return createOrganization(db, actor, { name, slug: 'default' });
}
