import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import knexFactory, { type Knex } from 'knex';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { ADMIN_DN, ADMIN_PASSWORD, SUFFIX, slapdAvailable, startSlapd } from '../helpers/slapd.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { stallingRelay } from '../helpers/stalling-relay.ts';

// Three daemons on one PostgreSQL. The one running the scheduled sync is killed (SIGKILL) while
// its run is provably half done: a relay in front of the directory holds the read after the
// first batch of members was written. Another daemon takes the source over without waiting for
// the lease to expire, the killed run reads failed, and the next run brings every user, once.
// Then the one delivering mail is killed while the SMTP server holds its answers in the middle
// of a batch: every mail arrives exactly once. A fourth daemon with another link key is refused.

const USERS = 6000;
/** The daemon applies users in batches of 5000 (src/sync/run-sync.ts): one batch, and a bit. */
const FIRST_BATCH = 5000;
const STALL_AFTER = 5200;
const MAILS = 40;
const TAKEN_BEFORE_STALL = 10;

const uid = (i: number) => `u${String(i).padStart(5, '0')}`;
const people = Array.from(
  { length: USERS },
  (_, i) => `dn: uid=${uid(i)},ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: ${uid(i)}
cn: User ${i}
sn: Number${i}
givenName: User
mail: ${uid(i)}@example.org
`,
).join('\n');

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 240_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = async (query: Knex.QueryBuilder) =>
  Number(((await query.count({ n: '*' })) as Array<{ n: string }>)[0]!.n);

const messageId = (raw: string) => /^Message-ID: <(.+)>\s*$/im.exec(raw)?.[1] ?? '';
/** The outbox row a mail was sent from: its Message-ID is <mail-ID@provisiond>. */
const outboxId = (raw: string) => /^mail-(.+)@provisiond$/.exec(messageId(raw))?.[1] ?? '';

if (databaseKinds().includes('postgres') && slapdAvailable()) {
  test.serial('three daemons: SIGKILL during a sync run and during mail delivery', async (t) => {
    t.timeout(10 * 60_000);
    const pg = await createPostgresDatabase();
    const slapd = await startSlapd(people);
    const relay = await stallingRelay(slapd, STALL_AFTER);
    const sink = await startSmtpSink();
    const dir = tempDir('provisiond-three-');
    const config = path.join(dir, 'provisiond.yaml');
    writeFileSync(
      config,
      `invitations:
  linkKey: { env: SHARED_LINK_KEY }
mail:
  from: provisiond@example.org
  smtp: { host: 127.0.0.1, port: ${sink.port} }
  pollSeconds: 0.1
sources:
  - name: builtin
    type: builtin
  - name: corp
    type: ldap
    flavor: openldap
    url: ${relay.url}
    bindDN: ${ADMIN_DN}
    bindCredentials: { env: CORP_PASSWORD }
    users: { baseDN: "ou=people,${SUFFIX}", filter: "(objectClass=inetOrgPerson)" }
    pageSize: 500
    timeoutSeconds: 600
    onUnmatched: create
    schedule: { full: "*/3 * * * * *" }
`,
    );
    const sharedKey = randomBytes(32).toString('base64');
    const env = (n: number) => ({
      DATABASE_URL: pg.url,
      PROVISIOND_CONFIG: config,
      PROVISIOND_DATA_DIR: path.join(dir, `d${n}`),
      SHARED_LINK_KEY: sharedKey,
      CORP_PASSWORD: ADMIN_PASSWORD,
    });
    const db = knexFactory({ client: 'pg', connection: pg.url, pool: { min: 0, max: 2 } });
    const daemons: DaemonProcess[] = [];
    const pidOf = async (instance: string) =>
      ((await db('instances').where('id', instance).first('pid')) as { pid: number }).pid;
    const daemonOf = async (instance: string) => {
      const pid = await pidOf(instance);
      return daemons.find((d) => d.process.pid === pid)!;
    };
    try {
      // The first migrates; the others find the schema done.
      for (const n of [1, 2, 3]) daemons.push(await startDaemonProcess(env(n)));
      for (const d of daemons)
        t.like((await api(d.url, 'GET', '/readyz')).body, { status: 'ready', linkKey: 'agreed' });
      const other = await runCli(['start'], {
        ...env(4),
        SHARED_LINK_KEY: randomBytes(32).toString('base64'),
      });
      t.is(other.code, 1);
      t.regex(other.stderr, /different key: give every daemon .* the same invitations\.linkKey/);

      // The sync: held in the middle of its read, after its first batch was written.
      await relay.stalled;
      await waitUntil('the first batch of members', async () =>
        Boolean(await count(db('members').where('source', 'corp'))),
      );
      const running = (await db('sync_runs')
        .where({ source: 'corp', status: 'running' })
        .first('id', 'instance_id')) as { id: string; instance_id: string };
      t.truthy(running, 'the run is in progress');
      t.is(await count(db('members').where('source', 'corp')), FIRST_BATCH);
      t.is(await count(db('identity_links').where('source', 'corp')), FIRST_BATCH);
      const lease = (await db('sync_state').where('source', 'corp').first()) as {
        lease_instance: string;
        lease_until: Date;
      };
      t.is(lease.lease_instance, running.instance_id, 'the lease is the running daemon’s');
      const holder = await daemonOf(running.instance_id);
      t.is(await holder.stop('SIGKILL'), 'SIGKILL');
      relay.release();

      // Another daemon's next tick takes the source: the killed run is failed, this one completes.
      await waitUntil('a run that completes', async () =>
        Boolean(await db('sync_runs').where({ source: 'corp', status: 'succeeded' }).first()),
      );
      const orphan = await db('sync_runs').where('id', running.id).first('status', 'error');
      t.like(orphan, { status: 'failed' });
      t.regex(orphan?.error ?? '', /^interrupted: /);
      // The wait above found it.
      const done = (await db('sync_runs')
        .where({ source: 'corp', status: 'succeeded' })
        .orderBy('started_at')
        .first('started_at', 'counts', 'instance_id'))!;
      t.not(done.instance_id, running.instance_id);
      t.true(
        new Date(done.started_at) < new Date(lease.lease_until),
        'taken over while the dead daemon’s lease still ran',
      );
      t.like(done.counts, { created: USERS - FIRST_BATCH });
      const uids = (await db('identity_links as l')
        .join('members as m', 'm.id', 'l.member_id')
        .where('l.source', 'corp')
        .orderBy('m.username')
        .pluck('m.username')) as string[];
      t.is(uids.length, USERS, 'every directory user has one member and one link');
      t.deepEqual(
        uids,
        Array.from({ length: USERS }, (_, i) => uid(i)),
      );
      t.is(await count(db('members').where('source', 'corp')), USERS);

      // The mail: the SMTP server takes a few, then holds its answers; the sender is killed.
      const sentBefore = await count(db('mail_outbox').where('status', 'sent'));
      sink.stallAfter(TAKEN_BEFORE_STALL);
      const emails = Array.from({ length: MAILS }, (_, i) => `invitee${i}@example.org`);
      const invited = await runCli(
        ['invitations', 'create', ...emails.flatMap((e) => ['--email', e]), '--json'],
        env(2),
      );
      t.is(invited.code, 0, invited.stderr);
      await waitUntil('a mail held unanswered', async () => sink.held().length > 0);
      const sender = (await db('mail_outbox')
        .where('id', outboxId(sink.held()[0]!.raw))
        .first('claimed_by')) as {
        claimed_by: string;
      };
      await waitUntil(
        'the mails taken before the stall recorded sent',
        async () =>
          (await count(db('mail_outbox').where('status', 'sent'))) >=
          sentBefore + TAKEN_BEFORE_STALL,
      );
      t.is(await count(db('mail_outbox').where('status', 'sent')), sentBefore + TAKEN_BEFORE_STALL);
      t.true(
        (await count(
          db('mail_outbox').where({ status: 'queued', claimed_by: sender.claimed_by }),
        )) > 0,
        'the rest of its batch is claimed by the daemon sending it',
      );
      const victim = await daemonOf(sender.claimed_by);
      // Every mail it might be sending: what it claimed and has not recorded sent.
      const victimsMail = new Set(
        (
          (await db('mail_outbox')
            .where({ status: 'queued', claimed_by: sender.claimed_by })
            .pluck('id')) as Array<string | number>
        ).map(String),
      );
      t.is(await victim.stop('SIGKILL'), 'SIGKILL');
      // Its connections are gone before the server answers: those mails were never taken.
      await waitUntil('the killed sender’s connections closed', async () =>
        sink.held().every((h) => !h.connected || !victimsMail.has(outboxId(h.raw))),
      );
      sink.release();
      await waitUntil(
        'every mail sent',
        async () => (await count(db('mail_outbox').whereNot('status', 'sent'))) === 0,
      );
      const outbox = (await db('mail_outbox').pluck('id')).map(String);
      const delivered = sink.messages.map((m) => messageId(m.raw));
      t.deepEqual(
        [...delivered].sort(),
        outbox.map((id) => `mail-${id}@provisiond`).sort(),
        'every mail of the outbox arrived, each once',
      );
      const invitees = sink.messages.flatMap((m) => m.to).filter((to) => emails.includes(to));
      t.deepEqual(invitees.sort(), [...emails].sort());
      const last = daemons.find((d) => d !== holder && d !== victim)!;
      t.is((await api(last.url, 'GET', '/readyz')).status, 200);
    } finally {
      for (const d of daemons) await d.stop('SIGKILL');
      await db.destroy();
      await sink.close();
      await relay.close();
      await slapd.stop();
      await pg.drop();
    }
  });
} else {
  test('the three-daemon test needs DATABASE_URL and slapd (CI has both)', (t) => {
    t.true(!process.env.DATABASE_URL || !slapdAvailable());
  });
}
