import type { Knex } from 'knex';

// The durable tie between a member and one identity of one source (R-SRC: SAML NameID, OIDC sub).

export async function linkedMember(
  db: Knex,
  orgId: string,
  source: string,
  externalId: string,
): Promise<{ memberId: string; status: string } | null> {
  const row = await db('identity_links as l')
    .join('members as m', 'm.id', 'l.member_id')
    .where({ 'l.org_id': orgId, 'l.source': source, 'l.external_id': externalId })
    .first('m.id', 'm.status');
  return row ? { memberId: row.id as string, status: row.status as string } : null;
}

export async function createLink(
  trx: Knex.Transaction,
  link: { orgId: string; memberId: string; source: string; externalId: string; login: string },
): Promise<void> {
  await trx('identity_links').insert({
    org_id: link.orgId,
    member_id: link.memberId,
    source: link.source,
    external_id: link.externalId,
    login: link.login,
  });
}

/** Members a linking rule matches that have no link to this source yet. */
export async function unlinkedMatches(
  db: Knex,
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
