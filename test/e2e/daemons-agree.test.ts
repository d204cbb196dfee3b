import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import test from 'ava';
import knexFactory from 'knex';
import { SMTPServer } from 'smtp-server';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { Subtree } from '../helpers/ldap-directory.ts';
import { ADMIN_DN, ADMIN_PASSWORD, slapdAvailable, startSlapd } from '../helpers/slapd.ts';

// Three daemons on one PostgreSQL. One is killed (SIGKILL) in the middle of a sync run, another
// in the middle of mail delivery: the run is failed and the source free at once for another
// daemon, every mail is delivered exactly once, and every directory user arrives. A fourth daemon
// with another invitation link key is refused, naming the setting.

const USERS = 3000;
const MAILS = 40;
/** How long the SMTP server holds each message before answering: the kill lands in it. */
const HOLD_MS = 1500;

/**
 * An SMTP server that takes a message only once its answer could be sent: a client that is gone
 * by then (killed) never learns the mail was taken, so the server does not keep it, as RFC 5321
 * requires of a server that could not reply.
 */
async function holdingSink() {
  const taken: Array<{ to: string; messageId: string }> = [];
  let holding = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        holding += 1;
        setTimeout(() => {
          holding -= 1;
          const raw = Buffer.concat(chunks).toString('utf8');
          if (!clientGone(session.id))
            taken.push({
              to: session.envelope.rcptTo[0]!.address,
              messageId: /^Message-ID: (.+)$/im.exec(raw)?.[1]?.trim() ?? '',
            });
          callback();
        }, HOLD_MS);
      });
    },
  });
  // smtp-server does not hand the socket to onData: find the session's connection.
  const clientGone = (id: string) => {
    const connections = (
      server as unknown as {
        connections: Set<{ session?: { id: string }; _socket?: { destroyed: boolean } }>;
      }
    ).connections;
    for (const c of connections) if (c.session?.id === id) return c._socket?.destroyed !== false;
    return true;
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    taken,
    holding: () => holding,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const waitUntil = async (what: string, check: () => Promise<boolean>, ms = 120_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

if (databaseKinds().includes('postgres') && slapdAvailable()) {
  test.serial('three daemons: SIGKILL during a sync run and during mail delivery', async (t) => {
    const pg = await createPostgresDatabase();
    const slapd = await startSlapd();
    const corp = await Subtree.create(slapd, 'corp');
    for (let i = 0; i < USERS; i += 50)
      await Promise.all(
        Array.from({ length: Math.min(50, USERS - i) }, (_, j) =>
          corp.addUser({ uid: `u${i + j}`, givenName: 'User', sn: `Number${i + j}` }),
        ),
      );
    const sink = await holdingSink();
    const dir = tempDir('provisiond-three-');
    const config = path.join(dir, 'provisiond.yaml');
    writeFileSync(
      config,
      `invitations:
  linkKey: { env: SHARED_LINK_KEY }
mail:
  smtp: { host: 127.0.0.1, port: ${sink.port} }
  pollSeconds: 0.1
sources:
  - name: builtin
    type: builtin
  - name: corp
    type: ldap
    flavor: openldap
    url: ${slapd.url}
    bindDN: ${ADMIN_DN}
    bindCredentials: { env: CORP_PASSWORD }
    users: { baseDN: "${corp.people}", filter: "(objectClass=inetOrgPerson)" }
    onUnmatched: create
    schedule: { full: "*/3 * * * * *" }
`,
    );
    const randomKey = randomBytes(32).toString('base64');
    const env = (n: number) => ({
      DATABASE_URL: pg.url,
      PROVISIOND_CONFIG: config,
      PROVISIOND_DATA_DIR: path.join(dir, `d${n}`),
      SHARED_LINK_KEY: randomKey,
      CORP_PASSWORD: ADMIN_PASSWORD,
    });
    const db = knexFactory({ client: 'pg', connection: pg.url, pool: { min: 0, max: 2 } });
    const daemons: DaemonProcess[] = [];
    try {
      for (const n of [1, 2, 3]) daemons.push(await startDaemonProcess(env(n)));
      for (const d of daemons)
        t.like((await api(d.url, 'GET', '/readyz')).body, { status: 'ready', linkKey: 'agreed' });

      // A fourth daemon with its own key is refused, naming the setting.
      const other = await runCli(['start'], {
        ...env(4),
        SHARED_LINK_KEY: randomBytes(32).toString('base64'),
      });
      t.is(other.code, 1);
      t.regex(other.stderr, /different key: give every daemon .* the same invitations\.linkKey/);

      const byPid = (pid: number) => daemons.find((d) => d.process.pid === pid)!;
      // Every daemon runs the source on its schedule; the lease lets one at a time. Kill the one
      // running it, in the middle of the run.
      // The first run, while it creates the members: killed in the middle.
      let running: { id: string; instance_id: string } | undefined;
      await waitUntil('members being created by a running sync', async () => {
        const [row] = await db('members').where('source', 'corp').count({ n: '*' });
        running = await db('sync_runs').where('status', 'running').first('id', 'instance_id');
        return Number(row?.n) > 10 && Number(row?.n) < USERS && Boolean(running);
      });
      const holder = await db('instances').where('id', running!.instance_id).first('pid');
      const killed = byPid(holder.pid);
      killed.process.kill('SIGKILL');
      await killed.stop();
      const survivors = daemons.filter((d) => d !== killed);
      // Another daemon takes the source at its next tick (3 s), not after a five-minute lease.
      const killedAt = Date.now();
      await waitUntil('a run taken over', async () =>
        Boolean(await db('sync_runs').where('status', 'succeeded').first()),
      );
      t.true(Date.now() - killedAt < 60_000, 'taken over within a minute');
      const orphan = await db('sync_runs').where('id', running!.id).first('status', 'error');
      t.like(orphan, { status: 'failed' });
      t.regex(orphan.error, /interrupted/);
      const [members] = await db('members').where('source', 'corp').count({ n: '*' });
      t.is(Number(members?.n), USERS, 'every directory user arrived, once');

      // Kill C while mail is being delivered.
      const emails = Array.from({ length: MAILS }, (_, i) => `invitee${i}@example.org`);
      const invited = await runCli(
        ['invitations', 'create', ...emails.flatMap((e) => ['--email', e]), '--json'],
        env(2),
      );
      t.is(invited.code, 0, invited.stderr);
      await waitUntil('mail being held', async () => sink.holding() > 0);
      await new Promise((r) => setTimeout(r, 100));
      const sender = await db('mail_outbox as m')
        .join('instances as i', 'i.id', 'm.claimed_by')
        .where('m.status', 'queued')
        .first('i.pid');
      const victim = sender ? byPid(sender.pid) : survivors[0]!;
      victim.process.kill('SIGKILL');
      await victim.stop();
      const last = survivors.find((d) => d !== victim)!;
      await waitUntil('every mail', async () => sink.taken.length >= MAILS, 180_000);
      // Give any repeat the time to arrive before counting.
      await new Promise((r) => setTimeout(r, HOLD_MS * 3));
      t.deepEqual(sink.taken.map((m) => m.to).sort(), [...emails].sort(), 'each mail once');
      t.is(new Set(sink.taken.map((m) => m.messageId)).size, MAILS);
      const [queued] = await db('mail_outbox').whereNot('status', 'sent').count({ n: '*' });
      t.is(Number(queued?.n), 0);
      t.is((await api(last.url, 'GET', '/readyz')).status, 200);
    } finally {
      for (const d of daemons) await d.stop('SIGKILL');
      await db.destroy();
      await sink.close();
      await slapd.stop();
      await pg.drop();
    }
  });
} else {
  test('the three-daemon test needs DATABASE_URL and slapd (CI has both)', (t) => {
    t.true(!process.env.DATABASE_URL || !slapdAvailable());
  });
}
