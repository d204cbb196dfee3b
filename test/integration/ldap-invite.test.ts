import test from 'ava';
import { argon2Hasher } from '../../plugins/builtin/index.ts';
import type { SourceEntry } from '../../src/config/config-schema.ts';
import { acceptBuiltIn } from '../../src/invitations/invitation-acceptance.ts';
import { inviteReaction } from '../../src/invitations/invite-reaction.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { registerUnmatchedReaction } from '../../src/sync/reactions.ts';
import { runSync, type SyncOptions } from '../../src/sync/run-sync.ts';
import { eachDatabase } from '../helpers/databases.ts';
import { Subtree } from '../helpers/ldap-directory.ts';
import { type Slapd, slapdAvailable, startSlapd } from '../helpers/slapd.ts';

// The sync engine's `invite` reaction against a real OpenLDAP slapd: unmatched users with an
// email get one invitation each, a second run sends none, a user without email is reported, and
// accepting links the member to the directory identity so that the next run matches it.

const available = slapdAvailable();
if (!available) console.warn('SKIPPED: slapd is not installed; the invite reaction tests did not run (CI sets PROVISIOND_REQUIRE_LDAP=1)');

let slapd: Slapd | undefined;
test.before(async () => {
  if (available) slapd = await startSlapd();
  registerUnmatchedReaction(inviteReaction({ hasher: argon2Hasher, publicUrl: () => 'https://id.example.test' }));
});
test.after.always(async () => {
  await slapd?.stop();
});

const log = createLogger('silent');
const FULL: SyncOptions = { mode: 'full', preview: false, trigger: 'cli' };

eachDatabase((kind, fixture) => {
  // Issue 4: without slapd/Samba installed these tests are skipped locally, with a message; CI sets
  // PROVISIOND_REQUIRE_LDAP=1 and PROVISIOND_REQUIRE_AD=1, which turn a missing server into a failure.
  const t2 = available ? test : test.skip;

  t2(`[${kind}] unmatched directory users are invited once, however often the sync runs; acceptance links them`, async (t) => {
    const f = fixture();
    const db = f.database.knex;
    const tree = await Subtree.create(slapd!, `inv-${kind}-${Math.random().toString(36).slice(2, 7)}`);
    for (const uid of ['ann', 'ben', 'cy']) await tree.addUser({ uid, givenName: uid, sn: 'Dir' });
    await tree.replace(tree.userDN('cy'), 'mail', []);
    const scope = await f.newOrg();
    const sources: SourceEntry[] = [tree.source(slapd!.url, { onUnmatched: 'invite' })];
    const sync = () => runSync({ db, sources, log }, scope, tree.name, FULL);

    const first = await sync();
    t.is(first.status, 'succeeded', first.error ?? '');
    t.like(first.counts, { invited: 2, created: 0, errors: 1 });
    const invitations = await db('invitations').where('org_id', scope.orgId).orderBy('email').select('email', 'status', 'source', 'external_id', 'member_id');
    t.deepEqual(invitations.map((i) => [i.email, i.status, i.source]), [['ann@example.org', 'pending', tree.name], ['ben@example.org', 'pending', tree.name]]);
    t.is((await db('mail_outbox').where('org_id', scope.orgId)).length, 2);
    t.is((await db('members').where({ org_id: scope.orgId, status: 'pending' })).length, 2);

    const second = await sync();
    t.is(second.status, 'succeeded', second.error ?? '');
    t.like(second.counts, { invited: 0, errors: 1 });
    t.is((await db('invitations').where('org_id', scope.orgId)).length, 2, 'run twice: still one invitation each');
    t.is((await db('mail_outbox').where('org_id', scope.orgId)).length, 2);

    const mail = await db('mail_outbox').where({ org_id: scope.orgId, recipient: 'ann@example.org' }).first('data');
    const token = new URL(mail.data.link as string).searchParams.get('token')!;
    const accepted = await acceptBuiltIn({ db, hasher: argon2Hasher }, { token, username: 'ann.chosen', password: 'Harbour-5521-x' });
    t.like(await db('identity_links').where('member_id', accepted.memberId).first(), { source: tree.name });
    const third = await sync();
    t.is(third.status, 'succeeded', third.error ?? '');
    t.is(third.counts.invited, 0);
    t.is(third.counts.errors, 1, 'only the user without email');
    t.like(await db('members').where('id', accepted.memberId).first(), { status: 'active', source: tree.name });
    t.is((await db('invitations').where('org_id', scope.orgId)).length, 2);
  });
});
