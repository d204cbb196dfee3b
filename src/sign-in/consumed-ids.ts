import type { Knex } from 'knex';

// One-time values (SAML assertion ids) kept until they expire. The primary key makes the check
// atomic across daemons sharing one PostgreSQL: of two daemons receiving the same assertion, one
// inserts it and the other finds it taken.

export async function consumeOnce(
  db: Knex,
  entry: { orgId: string; source: string; id: string; expiresAt: Date },
): Promise<boolean> {
  await db('consumed_assertions').where('expires_at', '<', new Date()).delete();
  const inserted = await db('consumed_assertions')
    .insert({
      org_id: entry.orgId,
      source: entry.source,
      assertion_id: entry.id,
      expires_at: entry.expiresAt,
    })
    .onConflict(['org_id', 'source', 'assertion_id'])
    .ignore()
    .returning('assertion_id');
  return inserted.length === 1;
}
