import { rawRows } from '../store/raw-rows.ts';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.ts';
import { claimLicenses } from '../licenses/license-grants.ts';
import type { MemberStatus } from '../store/tables/members.ts';

// The bulk path for imports and directory sync: members already checked against the rules go in
// with one INSERT … SELECT FROM unnest(…) per batch (one round trip for thousands of rows, on
// PGlite and PostgreSQL alike), and their audit entries in the same transaction.

export interface BulkMember {
  username: string;
  /** null for a member from an identity provider or directory that gives no address. */
  email: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  description?: string;
  userTypeId: string;
  roleId: string;
  /** The parameter of a role that needs one (the partner portal's Vertex ID). */
  roleParameter?: string | null;
  status: MemberStatus;
  source: string;
  passwordHash?: string | null;
  mustChangePassword?: boolean;
}

/**
 * What every member of one call shares: the organization's defaults for new members
 * beyond user type and role, and whether the username is locked (an invitation carrying it is sent).
 */
export interface SharedMemberFields {
  groupIds?: string[];
  /** Each member gets those of these licences its user type may hold. */
  licenses?: string[];
  categories?: string[];
  credits?: number | null;
  settings?: Record<string, unknown>;
  usernameLocked?: boolean;
}

export const BULK_BATCH = 5000;

const COLUMNS = [
  ['username', 'text'],
  ['email', 'text'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['display_name', 'text'],
  ['description', 'text'],
  ['user_type_id', 'uuid'],
  ['role_id', 'uuid'],
  ['status', 'text'],
  ['source', 'text'],
  ['password_hash', 'text'],
  ['must_change_password', 'boolean'],
  ['role_parameter', 'text'],
] as const;

function columnsOf(batch: BulkMember[]): unknown[][] {
  return [
    batch.map((m) => m.username),
    batch.map((m) => m.email),
    batch.map((m) => m.firstName),
    batch.map((m) => m.lastName),
    batch.map((m) => m.displayName),
    batch.map((m) => m.description ?? ''),
    batch.map((m) => m.userTypeId),
    batch.map((m) => m.roleId),
    batch.map((m) => m.status),
    batch.map((m) => m.source),
    batch.map((m) => m.passwordHash ?? null),
    batch.map((m) => m.mustChangePassword ?? false),
    batch.map((m) => m.roleParameter ?? null),
  ];
}

/**
 * Inserts members in batches; a username already taken (case-insensitively) is skipped, so that
 * running the same input twice adds nothing the second time. Returns the ids and usernames added.
 */
export async function bulkInsertMembers(
  trx: Knex.Transaction,
  orgId: string,
  actor: Actor,
  members: BulkMember[],
  shared: SharedMemberFields = {},
): Promise<Array<{ id: string; username: string }>> {
  const added: Array<{ id: string; username: string }> = [];
  const granted: string[][] = [];
  const names = COLUMNS.map(([name]) => name).join(', ');
  const columns = COLUMNS.map(([name]) => `t.${name}`).join(', ');
  const arrays = COLUMNS.map(([, type]) => `?::${type}[]`).join(', ');
  const common = [
    shared.licenses ?? [],
    shared.categories ?? [],
    shared.credits ?? null,
    JSON.stringify(shared.settings ?? {}),
    shared.usernameLocked ?? false,
  ];
  for (let start = 0; start < members.length; start += BULK_BATCH) {
    const batch = members.slice(start, start + BULK_BATCH);
    // The audit entries and group memberships are written by the same statement, from the rows it actually inserted.
    const inserted = await rawRows<{
      id: string;
      username: string;
      licenses: string[];
      status: MemberStatus;
    }>(
      trx,
      `with added as (
         insert into members (org_id, ${names}, licenses, categories, credits, settings, username_locked)
         select ?::uuid, ${columns},
           array(select c.name from unnest(?::text[]) as s(name) join licenses c
                   on c.org_id = ? and c.name = s.name and t.user_type_id = any(c.user_type_ids)),
           ?::text[], ?::numeric, ?::jsonb, ?::boolean
         from unnest(${arrays}) as t(${names})
         on conflict (org_id, (lower(username))) do nothing
         returning id, username, licenses, status
       ), logged as (
         insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, after)
         select ?::uuid, ?, ?, ?, 'member.create', 'member', id::text, jsonb_build_object('username', username, 'bulk', true) from added
       ), joined as (
         insert into memberships (group_id, member_id)
         select g.id, added.id from added cross join unnest(?::uuid[]) as g(id)
       )
       select id, username, licenses, status from added`,
      [
        orgId,
        common[0]!,
        orgId,
        ...common.slice(1),
        ...columnsOf(batch),
        orgId,
        actor.type,
        actor.id,
        actor.label,
        shared.groupIds ?? [],
      ] as Knex.RawBinding[],
    );
    for (const row of inserted) {
      added.push({ id: row.id, username: row.username });
      // Licences given with invitations count once accepted; the others now.
      if (row.status !== 'pending') granted.push(row.licenses);
    }
  }
  await claimLicenses(trx, orgId, granted);
  return added;
}
