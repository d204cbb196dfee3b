import { rawRows } from '../store/raw-rows.ts';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.ts';
import { type SyncLink, syncLinksOf, upsertSyncLinks } from '../links/identity-links.ts';
import {
  type BulkMember,
  type SharedMemberFields,
  bulkInsertMembers,
} from '../members/member-bulk-insert.ts';
import type { DesiredMember } from './member-mapping.ts';
import type { Candidate, Correlation, LinkedMember } from './user-plan.ts';

// The store side of user sync, batched: one query per look-up kind for a whole batch, and one
// statement per kind of write (unnest arrays), with the audit entries written by the same statement.

type Db = Knex | Knex.Transaction;

interface CorrelationInput {
  externalId: string;
  username: string | null;
  email: string | null;
}

export async function correlateBatch(
  db: Db,
  orgId: string,
  source: string,
  batch: CorrelationInput[],
  rules: Array<'username' | 'email'>,
): Promise<Correlation[]> {
  const links = new Map<string, LinkedMember>();
  for (const r of await syncLinksOf(
    db,
    orgId,
    source,
    batch.map((b) => b.externalId),
  ))
    links.set(r.externalId, {
      memberId: r.memberId,
      hash: r.contentHash,
      disabledBySync: r.disabledBySync,
      status: r.status,
    });
  const unlinked = batch.filter((b) => !links.has(b.externalId));
  const byUsername = rules.includes('username')
    ? await candidates(
        db,
        orgId,
        source,
        'username',
        unlinked.map((b) => b.username),
      )
    : new Map<string, Candidate[]>();
  const byEmail = rules.includes('email')
    ? await candidates(
        db,
        orgId,
        source,
        'email',
        unlinked.map((b) => b.email),
      )
    : new Map<string, Candidate[]>();
  return batch.map((b) => ({
    link: links.get(b.externalId),
    byUsername: b.username ? (byUsername.get(b.username.toLowerCase()) ?? []) : [],
    byEmail: b.email ? (byEmail.get(b.email.toLowerCase()) ?? []) : [],
  }));
}

async function candidates(
  db: Db,
  orgId: string,
  source: string,
  column: 'username' | 'email',
  values: Array<string | null>,
): Promise<Map<string, Candidate[]>> {
  const keys = [...new Set(values.filter((v): v is string => !!v).map((v) => v.toLowerCase()))];
  const found = new Map<string, Candidate[]>();
  if (keys.length === 0) return found;
  const rows = await rawRows<{ id: string; key: string; external_id: string | null }>(
    db,
    `select m.id, lower(m.${column}) as key, l.external_id
       from members m left join identity_links l on l.member_id = m.id and l.source = ?
      where m.org_id = ? and lower(m.${column}) = any(?::text[])`,
    [source, orgId, keys],
  );
  for (const r of rows)
    found.set(r.key, [...(found.get(r.key) ?? []), { memberId: r.id, linkedTo: r.external_id }]);
  return found;
}

export interface MemberUpdate {
  memberId: string;
  externalId: string;
  login: string;
  ref: string;
  member: DesiredMember;
  /** 'keep' leaves the member's status as it is (a member linked by a rule). */
  status: 'active' | 'disabled' | 'keep';
  disabledBySync: boolean;
}

/** Updates members to their directory values and records the new content hash on the link (inserting it for new links). */
export async function applyUpdates(
  trx: Knex.Transaction,
  orgId: string,
  source: string,
  actor: Actor,
  updates: MemberUpdate[],
): Promise<void> {
  if (updates.length === 0) return;
  const col = <T>(f: (u: MemberUpdate) => T) => updates.map(f);
  await trx.raw(
    `with t as (
       select * from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::uuid[], ?::uuid[], ?::text[])
         as t(id, email, first_name, last_name, display_name, status, role_id, user_type_id, directory)
     ), changed as (
       update members m set email = t.email, first_name = t.first_name, last_name = t.last_name, display_name = t.display_name,
         status = case when t.status = 'keep' then m.status else t.status end,
         role_id = coalesce(t.role_id, m.role_id), user_type_id = coalesce(t.user_type_id, m.user_type_id),
         profile = m.profile || jsonb_build_object('directory', t.directory::jsonb),
         version = m.version + 1, updated_at = now()
       from t where m.id = t.id and m.org_id = ?
       returning m.id, m.status
     )
     insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, after)
     select ?::uuid, ?, ?, ?, 'member.sync', 'member', id::text, jsonb_build_object('status', status, 'source', ?::text) from changed`,
    [
      col((u) => u.memberId),
      col((u) => u.member.email),
      col((u) => u.member.firstName),
      col((u) => u.member.lastName),
      col((u) => u.member.displayName),
      col((u) => u.status),
      col((u) => u.member.roleId),
      col((u) => u.member.userTypeId),
      col((u) => JSON.stringify(u.member.profile)),
      orgId,
      orgId,
      actor.type,
      actor.id,
      actor.label,
      source,
    ] as Knex.RawBinding[],
  );
  await upsertSyncLinks(trx, orgId, source, updates.map(syncLink));
}

const syncLink = (u: MemberUpdate): SyncLink => ({
  memberId: u.memberId,
  externalId: u.externalId,
  login: u.login,
  ref: u.ref,
  contentHash: u.member.hash,
  disabledBySync: u.disabledBySync,
});

export interface NewMember {
  externalId: string;
  login: string;
  ref: string;
  member: DesiredMember;
}

/**
 * Creates members with the bulk path and links them. A username already taken by a member this
 * source could not correlate (rules without `username`) is returned, not overwritten.
 */
export async function applyCreates(
  trx: Knex.Transaction,
  orgId: string,
  source: string,
  actor: Actor,
  created: NewMember[],
  defaults: { userTypeId: string; roleId: string },
  shared: SharedMemberFields = {},
): Promise<{ taken: NewMember[] }> {
  if (created.length === 0) return { taken: [] };
  const rows: BulkMember[] = created.map((c) => ({
    username: c.member.username,
    email: c.member.email,
    firstName: c.member.firstName,
    lastName: c.member.lastName,
    displayName: c.member.displayName,
    userTypeId: c.member.userTypeId ?? defaults.userTypeId,
    roleId: c.member.roleId ?? defaults.roleId,
    status: c.member.disabled ? 'disabled' : 'active',
    source,
  }));
  const added = await bulkInsertMembers(trx, orgId, actor, rows, shared);
  const ids = new Map(added.map((a) => [a.username.toLowerCase(), a.id]));
  const linked: MemberUpdate[] = [];
  const taken: NewMember[] = [];
  for (const c of created) {
    const id = ids.get(c.member.username.toLowerCase());
    if (id === undefined) taken.push(c);
    else
      linked.push({
        memberId: id,
        externalId: c.externalId,
        login: c.login,
        ref: c.ref,
        member: c.member,
        status: 'keep',
        disabledBySync: c.member.disabled,
      });
  }
  await storeDirectoryProfiles(trx, linked);
  await upsertSyncLinks(trx, orgId, source, linked.map(syncLink));
  return { taken };
}

/** The bulk insert knows no profile: new members with profile attributes get them here. */
async function storeDirectoryProfiles(
  trx: Knex.Transaction,
  linked: MemberUpdate[],
): Promise<void> {
  const withProfile = linked.filter((u) => Object.keys(u.member.profile).length > 0);
  if (withProfile.length === 0) return;
  await trx.raw(
    `update members m set profile = m.profile || jsonb_build_object('directory', t.directory::jsonb)
       from unnest(?::uuid[], ?::text[]) as t(id, directory) where m.id = t.id`,
    [withProfile.map((u) => u.memberId), withProfile.map((u) => JSON.stringify(u.member.profile))],
  );
}
