import { rawRows } from '../store/raw-rows.ts';
import type { Knex } from 'knex';
import { type Cte, existsIn } from '../store/one-statement.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import type { MemberRow } from '../store/tables/members.ts';

// The only writer of `identity_links`: the durable tie between a member and one identity of one
// source (a SAML NameID, an OIDC subject, a directory entry, a SCIM client's externalId). A link
// names the source by its configured NAME (`corp-oidc`), never by its type (`oidc`): sign-in,
// sync and SCIM look links up by the name, so a link written under anything else is never found.

type Db = Knex | Knex.Transaction;

export interface NewLink {
  memberId: string;
  /** The configured source name. */
  source: string;
  externalId: string;
  login: string | null;
}

/** A link as a directory sync keeps it: how the directory's groups name the member, and the hash of its record. */
export interface SyncLink {
  memberId: string;
  externalId: string;
  login: string;
  ref: string;
  contentHash: string | null;
  disabledBySync: boolean;
}

export interface LinkedMember {
  memberId: string;
  status: 'pending' | 'active' | 'disabled';
}

/** Whether an insert failed because this external id of this source already belongs to a member. */
export function isExternalIdTaken(error: unknown): boolean {
  return isUniqueViolation(error, 'identity_links_org_id_source_external_id_unique');
}

export async function linkedMember(
  db: Db,
  orgId: string,
  source: string,
  externalId: string,
): Promise<LinkedMember | null> {
  const row = await linkedMembers(db)
    .where('l.org_id', orgId)
    .andWhere('l.source', source)
    .andWhere('l.external_id', externalId)
    .first();
  return row ? { memberId: row.id, status: row.status } : null;
}

type LinkedMemberRow = Pick<MemberRow, 'id' | 'status'>;

/** The members of identity links (`l`): their id and status. */
function linkedMembers(db: Db): Knex.QueryBuilder<LinkedMemberRow, LinkedMemberRow[]> {
  return db('identity_links as l')
    .join('members as m', 'm.id', 'l.member_id')
    .select('m.id', 'm.status');
}

/** Members a linking rule matches that have no link to this source yet (at most two: one is a match, two are ambiguous). */
export async function unlinkedMatches(
  db: Db,
  orgId: string,
  source: string,
  rule: 'email' | 'username',
  value: string,
): Promise<Array<{ id: string; status: string }>> {
  return db('members as m')
    .where('m.org_id', orgId)
    .andWhereRaw(`lower(m.${rule}) = lower(?)`, [value])
    .whereNotExists((q) =>
      q
        .select(db.raw('1'))
        .from('identity_links as l')
        .whereRaw('l.member_id = m.id')
        .andWhere('l.source', source),
    )
    .limit(2)
    .select('m.id', 'm.status');
}

/**
 * Links one member. `ifTaken: 'keep'` leaves an existing link of that external id as it is (an
 * invitation accepted for an identity a sync linked meanwhile); 'fail' lets the unique violation
 * through (see isExternalIdTaken).
 */
export async function createLink(
  trx: Knex.Transaction,
  orgId: string,
  link: NewLink,
  ifTaken: 'fail' | 'keep' = 'fail',
): Promise<void> {
  const insert = trx('identity_links').insert({
    org_id: orgId,
    member_id: link.memberId,
    source: link.source,
    external_id: link.externalId,
    login: link.login,
  });
  if (ifTaken === 'keep') await insert.onConflict(['org_id', 'source', 'external_id']).ignore();
  else await insert;
}

/** Links many members in one statement; an external id already linked keeps its member. */
export async function createLinks(
  trx: Knex.Transaction,
  orgId: string,
  links: NewLink[],
): Promise<void> {
  if (links.length === 0) return;
  await trx.raw(
    `insert into identity_links (org_id, member_id, source, external_id, login)
     select ?::uuid, t.* from unnest(?::uuid[], ?::text[], ?::text[], ?::text[]) as t
     on conflict do nothing`,
    [
      orgId,
      links.map((l) => l.memberId),
      links.map((l) => l.source),
      links.map((l) => l.externalId),
      links.map((l) => l.login),
    ] as Knex.RawBinding[],
  );
}

/**
 * A member's one link to `source` set to `externalId` (none when null), as a part of a larger
 * statement (see one-statement.ts), written only if `gate` wrote.
 */
export function externalIdCte(
  name: string,
  link: { orgId: string; memberId: string; source: string; externalId: string | null },
  gate?: string,
): Cte {
  const only = gate === undefined ? '' : existsIn(gate);
  if (link.externalId === null)
    return {
      name,
      sql: `delete from identity_links where member_id = ? and source = ?${only && ` and ${only}`}`,
      bindings: [link.memberId, link.source],
    };
  return {
    name,
    sql: `insert into identity_links (org_id, member_id, source, external_id, login)
      select ?::uuid, ?::uuid, ?, ?, null${only && ` where ${only}`}
      on conflict (member_id, source) do update set external_id = excluded.external_id, updated_at = now()`,
    bindings: [link.orgId, link.memberId, link.source, link.externalId],
  };
}

/** The links of a batch of directory records, with their member's status. */
export async function syncLinksOf(
  db: Db,
  orgId: string,
  source: string,
  externalIds: string[],
): Promise<
  Array<{
    externalId: string;
    memberId: string;
    contentHash: string | null;
    disabledBySync: boolean;
    status: LinkedMember['status'];
  }>
> {
  const rows = await rawRows<{
    external_id: string;
    member_id: string;
    content_hash: string | null;
    disabled_by_sync: boolean;
    status: LinkedMember['status'];
  }>(
    db,
    `select l.external_id, l.member_id, l.content_hash, l.disabled_by_sync, m.status
       from identity_links l join members m on m.id = l.member_id
      where l.org_id = ? and l.source = ? and l.external_id = any(?::text[])`,
    [orgId, source, externalIds],
  );
  return rows.map((r) => ({
    externalId: r.external_id,
    memberId: r.member_id,
    contentHash: r.content_hash,
    disabledBySync: r.disabled_by_sync,
    status: r.status,
  }));
}

/** Inserts or refreshes a directory's links in one statement (the record's hash, login and ref). */
export async function upsertSyncLinks(
  trx: Knex.Transaction,
  orgId: string,
  source: string,
  links: SyncLink[],
): Promise<void> {
  if (links.length === 0) return;
  await trx.raw(
    `insert into identity_links (org_id, source, member_id, external_id, login, ref, content_hash, disabled_by_sync)
     select ?::uuid, ?, t.* from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[]) as t
     on conflict (org_id, source, external_id) do update set login = excluded.login, ref = excluded.ref,
       content_hash = excluded.content_hash, disabled_by_sync = excluded.disabled_by_sync, updated_at = now()`,
    [
      orgId,
      source,
      links.map((l) => l.memberId),
      links.map((l) => l.externalId),
      links.map((l) => l.login),
      links.map((l) => l.ref),
      links.map((l) => l.contentHash),
      links.map((l) => l.disabledBySync),
    ] as Knex.RawBinding[],
  );
}

/** Marks members a sync disabled, so that their reappearance in the directory re-enables them. */
export async function markDisabledBySync(
  trx: Knex.Transaction,
  orgId: string,
  source: string,
  memberIds: string[],
): Promise<void> {
  if (memberIds.length === 0) return;
  await trx('identity_links')
    .where({ org_id: orgId, source })
    .whereIn('member_id', memberIds)
    .update({ disabled_by_sync: true, updated_at: trx.fn.now() });
}

export async function linkedCount(db: Db, orgId: string, source: string): Promise<number> {
  const [row] = await db('identity_links').where({ org_id: orgId, source }).count({ n: '*' });
  return Number(row?.n ?? 0);
}

/** The external ids of every link of a source: after a full read, those not read are gone. */
export async function externalIdsOfSource(
  db: Db,
  orgId: string,
  source: string,
): Promise<string[]> {
  const rows = await rawRows<{ external_id: string }>(
    db,
    'select external_id from identity_links where org_id = ? and source = ?',
    [orgId, source],
  );
  return rows.map((r) => r.external_id);
}

/** The links of a source with these external ids, with their member's status (removal candidates). */
export async function linksOfSource(
  db: Db,
  orgId: string,
  source: string,
  externalIds: string[],
): Promise<
  Array<{
    externalId: string;
    memberId: string;
    login: string | null;
    status: LinkedMember['status'];
  }>
> {
  const rows = await rawRows<{
    external_id: string;
    member_id: string;
    login: string | null;
    status: LinkedMember['status'];
  }>(
    db,
    `select l.external_id, l.member_id, l.login, m.status from identity_links l join members m on m.id = l.member_id
      where l.org_id = ? and l.source = ? and l.external_id = any(?::text[])`,
    [orgId, source, externalIds],
  );
  return rows.map((r) => ({
    externalId: r.external_id,
    memberId: r.member_id,
    login: r.login,
    status: r.status,
  }));
}

/** Member ids by the ref (DN or login) a directory's groups name them with. */
export async function membersByRef(
  db: Db,
  orgId: string,
  source: string,
  refs: string[],
): Promise<Map<string, string>> {
  const rows = await rawRows<{ ref: string; member_id: string }>(
    db,
    'select ref, member_id from identity_links where org_id = ? and source = ? and ref = any(?::text[])',
    [orgId, source, refs],
  );
  return new Map(rows.map((r) => [r.ref, r.member_id]));
}

/** Which of these members are linked to the source: member id → the external id of its record. */
export async function linkedAmong(
  db: Db,
  orgId: string,
  source: string,
  memberIds: string[],
): Promise<Map<string, string>> {
  const rows = await rawRows<{ member_id: string; external_id: string }>(
    db,
    'select member_id, external_id from identity_links where org_id = ? and source = ? and member_id = any(?::uuid[])',
    [orgId, source, memberIds],
  );
  return new Map(rows.map((r) => [r.member_id, r.external_id]));
}
