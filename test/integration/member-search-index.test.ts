import test from 'ava';
import type { Knex } from 'knex';
import { LOCAL_ADMIN } from '../../src/access/actor.ts';
import { loadCatalog } from '../../src/catalog/catalog-store.ts';
import { type BulkMember, bulkInsertMembers } from '../../src/members/member-bulk-insert.ts';
import { listMembers, parseMemberListQuery } from '../../src/members/member-listing.ts';
import { updateMember } from '../../src/members/member-update.ts';
import { eachDatabase } from '../helpers/databases.ts';

// The member search is a substring match of a stored text (username, email and names, lowered)
// served by a trigram index: the index must be on what the search matches, or every search reads
// the whole table. With sequential scans priced out, the plan of the search's own SQL (as
// listMembers sends it) must use that index. The text follows every change of a name.

eachDatabase((kind, fixture) => {
  test(`[${kind}] the member search uses its trigram index`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    // Enough members, with statistics, that the organization's own indexes are no shortcut.
    const { userTypes, roles } = await loadCatalog(db, scope.orgId);
    const members: BulkMember[] = Array.from({ length: 20_000 }, (_, i) => ({
      username: `member${i}`,
      email: i % 3 === 0 ? null : `member${i}@example.org`,
      firstName: 'Ada',
      lastName: i % 500 === 0 ? 'Garcia' : `Lovelace${i}`,
      displayName: `Ada ${i}`,
      userTypeId: userTypes[0]!.id,
      roleId: roles.find((r) => r.name === 'User')!.id,
      status: 'active',
      source: 'builtin',
    }));
    await db.transaction((trx) => bulkInsertMembers(trx, scope.orgId, LOCAL_ADMIN, members));
    await db.raw('analyze members');
    const sent: Array<{ sql: string; bindings: readonly unknown[] }> = [];
    const record = (q: { sql: string; bindings?: readonly unknown[] }) =>
      sent.push({ sql: q.sql, bindings: q.bindings ?? [] });
    db.on('query', record);
    try {
      const found = await listMembers(
        db,
        scope.orgId,
        parseMemberListQuery({ search: 'garcia' }, 200),
      );
      t.is(found.total, 40, 'members without an address are found too');
    } finally {
      db.off('query', record);
    }
    const count = sent.find((q) => / like \$\d/.test(q.sql) && /count\(\*\)/.test(q.sql));
    t.truthy(count, 'the search counted its matches');
    const plan = await db.transaction(async (trx) => {
      await trx.raw('set local enable_seqscan = off');
      // The driver's $n placeholders, back in knex's form.
      const rows = (await trx.raw(
        `explain ${count!.sql.replace(/\$\d+/g, '?')}`,
        count!.bindings as readonly Knex.RawBinding[],
      )) as {
        rows: Array<{ 'QUERY PLAN': string }>;
      };
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    t.regex(plan, /members_search_text_idx/, plan);
    // Every trigram index costs each insert and each name change: only the one the search uses is kept.
    const trigram = (await db.raw(
      "select indexname from pg_indexes where tablename = 'members' and indexdef like '%gin_trgm_ops%'",
    )) as { rows: Array<{ indexname: string }> };
    t.deepEqual(
      trigram.rows.map((r) => r.indexname),
      ['members_search_text_idx'],
    );
    // Its pending list is merged inside the write that overfills it: at the default 4 MB, that
    // write held the embedded database's one connection for 110-220 ms.
    const options = (await db.raw(
      "select reloptions from pg_class where relname = 'members_search_text_idx'",
    )) as { rows: Array<{ reloptions: string[] | null }> };
    t.deepEqual(options.rows[0]!.reloptions, ['gin_pending_list_limit=512']);

    const found = async (search: string) =>
      (await listMembers(db, scope.orgId, parseMemberListQuery({ search }, 200))).items.map(
        (m) => m.username,
      );
    t.deepEqual(await found('MEMBER124@example'), ['member124'], 'by email, in any case');
    t.deepEqual(await found('member19999'), ['member19999'], 'by username');
    await updateMember(f.deps, scope, 'member7', {
      lastName: 'Hopper',
      displayName: 'Grace Hopper',
    });
    t.deepEqual(await found('hopper'), ['member7'], 'by the new name');
    const byOldName = await found('lovelace7');
    t.true(byOldName.includes('member70') && !byOldName.includes('member7'), 'not by the old one');
  });
});
