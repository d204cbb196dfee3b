import { randomBytes } from 'node:crypto';
import test from 'ava';
import { openedMailData } from '../../src/mail/outbox.ts';
import { argon2Hasher } from '../../plugins/builtin/index.ts';
import type { SourceEntry } from '../../src/config/config-schema.ts';
import { acceptBuiltIn, openInvitation } from '../../src/invitations/invitation-acceptance.ts';
import { deleteInvitation } from '../../src/invitations/invitation-manage.ts';
import { inviteReaction } from '../../src/invitations/invite-reaction.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { runSync, type SyncOptions } from '../../src/sync/run-sync.ts';
import { eachDatabase } from '../helpers/databases.ts';
import { Subtree } from '../helpers/ldap-directory.ts';
import { type Slapd, slapdAvailable, startSlapd } from '../helpers/slapd.ts';
import { linkSealer } from '../../src/invitations/link-sealer.ts';
import { sourceRegistry } from '../helpers/sources.ts';

// The sync engine's `invite` reaction against a real OpenLDAP slapd: unmatched users with an
// email get one invitation each, a second run sends none, a user without email is reported, and
// accepting links the member to the directory identity so that the next run matches it. An
// expired invitation is re-issued by a later run only when the source says so (reinviteAfterExpiry).

const available = slapdAvailable();
if (!available)
  console.warn(
    'SKIPPED: slapd is not installed; the invite reaction tests did not run (CI sets PROVISIOND_REQUIRE_LDAP=1)',
  );

let slapd: Slapd | undefined;
const links = linkSealer(randomBytes(32));
/** A mail's link, opened from its sealed form as the delivery worker does. */
const linkOf = (data: { link: string | null; sealedLink?: string }) => {
  if (data.link !== null) throw new Error('a link is stored in clear in the outbox');
  return openedMailData(data, links)!.link!;
};
/** The invitations' reaction, handed to each run as the daemon hands it. */
const reactions = [
  inviteReaction({
    hasher: argon2Hasher,
    links,
    publicUrl: () => 'https://id.example.test',
    sources: () => [],
  }),
];
test.before(async () => {
  if (available) slapd = await startSlapd();
});
test.after.always(async () => {
  await slapd?.stop();
});

const log = createLogger('silent');
const FULL: SyncOptions = { mode: 'full', preview: false, trigger: 'cli' };
const DAY = 86_400_000;
const tokenOf = (link: unknown) => new URL(link as string).searchParams.get('token')!;

eachDatabase((kind, fixture) => {
  // Without slapd/Samba installed these tests are skipped locally, with a message; CI sets
  // PROVISIOND_REQUIRE_LDAP=1 and PROVISIOND_REQUIRE_AD=1, which turn a missing server into a failure.
  const t2 = available ? test : test.skip;

  t2(
    `[${kind}] unmatched directory users are invited once, however often the sync runs; acceptance links them`,
    async (t) => {
      const f = fixture();
      const db = f.database.knex;
      const tree = await Subtree.create(
        slapd!,
        `inv-${kind}-${Math.random().toString(36).slice(2, 7)}`,
      );
      for (const uid of ['ann', 'ben', 'cy'])
        await tree.addUser({ uid, givenName: uid, sn: 'Dir' });
      await tree.replace(tree.userDN('cy'), 'mail', []);
      const scope = await f.newOrg();
      const sources: SourceEntry[] = [tree.source(slapd!.url, { onUnmatched: 'invite' })];
      const sync = async () =>
        runSync(
          { db, sources: await sourceRegistry(db, log, sources), log, reactions },
          scope,
          tree.name,
          FULL,
        );

      const first = await sync();
      t.is(first.status, 'succeeded', first.error ?? '');
      t.like(first.counts, { invited: 2, created: 0, errors: 1 });
      const invitations = await db('invitations')
        .where('org_id', scope.orgId)
        .orderBy('email')
        .select('email', 'status', 'source', 'external_id', 'member_id');
      t.deepEqual(
        invitations.map((i) => [i.email, i.status, i.source]),
        [
          ['ann@example.org', 'pending', tree.name],
          ['ben@example.org', 'pending', tree.name],
        ],
      );
      t.is((await db('mail_outbox').where('org_id', scope.orgId)).length, 2);
      t.is((await db('members').where({ org_id: scope.orgId, status: 'pending' })).length, 2);

      const second = await sync();
      t.is(second.status, 'succeeded', second.error ?? '');
      t.like(second.counts, { invited: 0, errors: 1 });
      t.is(
        (await db('invitations').where('org_id', scope.orgId)).length,
        2,
        'run twice: still one invitation each',
      );
      t.is((await db('mail_outbox').where('org_id', scope.orgId)).length, 2);

      const mail = (await db('mail_outbox')
        .where({ org_id: scope.orgId, recipient: 'ann@example.org' })
        .first('data'))!;
      const token = new URL(linkOf(mail.data!)).searchParams.get('token')!;
      const accepted = await acceptBuiltIn(
        { db, hasher: argon2Hasher },
        { token, username: 'ann.chosen', password: 'Harbour-5521-x' },
      );
      t.like(await db('identity_links').where('member_id', accepted.memberId).first(), {
        source: tree.name,
      });
      const third = await sync();
      t.is(third.status, 'succeeded', third.error ?? '');
      t.is(third.counts.invited, 0);
      t.is(third.counts.errors, 1, 'only the user without email');
      t.like(await db('members').where('id', accepted.memberId).first(), {
        status: 'active',
        source: tree.name,
      });
      t.is((await db('invitations').where('org_id', scope.orgId)).length, 2);
    },
  );

  t2(
    `[${kind}] an expired invitation stays as it is unless the source re-issues it; re-issued, it is the same invitation with a fresh link and expiry`,
    async (t) => {
      const f = fixture();
      const db = f.database.knex;
      const tree = await Subtree.create(
        slapd!,
        `reinv-${kind}-${Math.random().toString(36).slice(2, 7)}`,
      );
      for (const uid of ['ann', 'ben']) await tree.addUser({ uid, givenName: uid, sn: 'Dir' });
      const scope = await f.newOrg();
      const t0 = new Date();
      const later = new Date(t0.getTime() + 15 * DAY);
      const sync = async (reinviteAfterExpiry: boolean, now: Date) => {
        const sources: SourceEntry[] = [
          tree.source(slapd!.url, { onUnmatched: 'invite', reinviteAfterExpiry }),
        ];
        return runSync(
          { db, sources: await sourceRegistry(db, log, sources), log, reactions, clock: () => now },
          scope,
          tree.name,
          FULL,
        );
      };
      const invitations = () =>
        db('invitations')
          .where('org_id', scope.orgId)
          .orderBy('email')
          .select('id', 'email', 'status', 'expires_at');
      const mails = (recipient: string) =>
        db('mail_outbox').where({ org_id: scope.orgId, recipient }).orderBy('id').select('data');

      const first = await sync(true, t0);
      t.like(first.counts, { invited: 2, errors: 0 });
      const invited = await invitations();
      const ann = invited[0]!;
      const ben = invited[1]!;
      t.is(
        new Date(ann.expires_at).getTime(),
        t0.getTime() + 14 * DAY,
        "dated by the run's clock: the organization default of 14 days",
      );
      const firstToken = tokenOf(linkOf((await mails('ann@example.org'))[0]!.data!));
      t.truthy(await openInvitation(db, scope.orgId, firstToken, t0));
      t.is(await openInvitation(db, scope.orgId, firstToken, later), null, 'expired 15 days later');

      // Not expired yet: the source's option changes nothing.
      t.like((await sync(true, new Date(t0.getTime() + 13 * DAY))).counts, {
        invited: 0,
        unchanged: 2,
      });

      const off = await sync(false, later);
      t.is(off.status, 'succeeded', off.error ?? '');
      t.like(off.counts, { invited: 0, unchanged: 2, errors: 0 });
      t.deepEqual(await invitations(), [ann, ben], 'nothing re-issued, nothing new');
      t.is((await db('mail_outbox').where('org_id', scope.orgId)).length, 2);

      // Ben's address changed in the directory: the fresh link must not go to the old one.
      await tree.replace(tree.userDN('ben'), 'mail', ['ben.new@example.org']);
      const on = await sync(true, later);
      t.is(on.status, 'succeeded', on.error ?? '');
      t.like(on.counts, { invited: 1, errors: 1 });
      t.regex(
        on.samples.errors![0]!.detail!,
        /the expired invitation was sent to ben@example\.org, but the directory now gives ben\.new@example\.org/,
      );
      const reissued = await invitations();
      const annAgain = reissued[0]!;
      const benAgain = reissued[1];
      t.like(annAgain, { id: ann.id, status: 'pending' }, 'the same invitation, re-issued');
      t.is(new Date(annAgain.expires_at).getTime(), later.getTime() + 14 * DAY);
      t.deepEqual(benAgain, ben);
      const annMails = await mails('ann@example.org');
      t.is(annMails.length, 2, 'a second mail');
      const freshToken = tokenOf(linkOf(annMails[1]!.data!));
      t.not(freshToken, firstToken);
      t.like(await openInvitation(db, scope.orgId, freshToken, later), { id: ann.id });
      t.is(
        await openInvitation(db, scope.orgId, firstToken, t0),
        null,
        'the old link stops working',
      );
      t.is((await mails('ben.new@example.org')).length, 0);
      t.is(
        (
          await db('audit_log').where({
            org_id: scope.orgId,
            action: 'invitation.resend',
            target_id: ann.id,
          })
        ).length,
        1,
      );

      // Open again: the next run sends nothing more.
      t.like((await sync(true, later)).counts, { invited: 0, unchanged: 1, errors: 1 });
      t.is((await db('mail_outbox').where('org_id', scope.orgId)).length, 3);
      t.is((await db('invitations').where('org_id', scope.orgId)).length, 2);

      // Once an administrator deletes Ben's old invitation, the next run invites the new address.
      await deleteInvitation(db, scope, ben.id, later);
      t.like((await sync(true, later)).counts, { invited: 1, errors: 0 });
      t.is((await mails('ben.new@example.org')).length, 1);
    },
  );
});
