import test from 'ava';
import { LOCAL_ADMIN, type Scope } from '../../src/access/actor.ts';
import type { SourceEntry } from '../../src/config/config-schema.ts';
import { configSchema } from '../../src/config/config-schema.ts';
import { startScheduler } from '../../src/daemon/scheduler.ts';
import { ldapSourceSchema } from '../../plugins/ldap/config.ts';
import type { AppContext } from '../../src/app-context.ts';
import { deliverDue } from '../../src/mail/delivery.ts';
import { createMailTransport } from '../../src/mail/transport.ts';
import { createMember } from '../../src/members/member-service.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { approveRun, rejectRun } from '../../src/sync/run-decisions.ts';
import { changesCsv, listChanges } from '../../src/sync/run-changes.ts';
import { runSync, type SyncOptions } from '../../src/sync/run-sync.ts';
import { listSources, resumeQuarantined } from '../../src/sync/source-admin.ts';
import { scheduledRunAllowed } from '../../src/sync/source-health.ts';
import { eachDatabase, type Fixture } from '../helpers/databases.ts';
import { Subtree } from '../helpers/ldap-directory.ts';
import { type Slapd, slapdAvailable, startSlapd } from '../helpers/slapd.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { sourceRegistry } from '../helpers/sources.ts';

// A source left alone on its schedule, against a real slapd, on PGlite and PostgreSQL: a held run
// stays decidable while later runs go on without removals, approval applies only the removals
// still gone, held removals keep their group memberships until approved, and a failing source
// backs off, is quarantined (administrators are mailed through a real SMTP server) and resumes.

const available = slapdAvailable();
if (!available)
  console.warn(
    'SKIPPED: slapd is not installed; the unattended sync tests did not run (CI sets PROVISIOND_REQUIRE_LDAP=1)',
  );

let slapd: Slapd | undefined;
let sink: SmtpSink;
let trees = 0;
test.before(async () => {
  sink = await startSmtpSink();
  if (available) slapd = await startSlapd();
});
test.after.always(async () => {
  await slapd?.stop();
  await sink?.close();
});

const log = createLogger('silent');
const SCHEDULED_FULL: SyncOptions = { mode: 'full', preview: false, trigger: 'schedule' };
const SCHEDULED_INCREMENTAL: SyncOptions = { ...SCHEDULED_FULL, mode: 'incremental' };
const mailOptions = {
  from: 'provisiond <no-reply@example.test>',
  maxAttempts: 3,
  retryBaseSeconds: 60,
};

async function setup(f: Fixture, users: number, extra: Record<string, unknown> = {}) {
  const db = f.database.knex;
  trees += 1;
  const tree = await Subtree.create(slapd!, `u${trees}-${Math.random().toString(36).slice(2, 7)}`);
  for (let i = 0; i < users; i++) await tree.addUser({ uid: `user${i}` });
  const scope = await f.newOrg();
  // An administrator of the organization, who is told when a source needs them.
  const adminEmail = `admin-${tree.name}@example.test`;
  await createMember(f.deps, scope, {
    username: 'ada_admin',
    email: adminEmail,
    firstName: 'Ada',
    lastName: 'Admin',
    userType: 'Creator',
    role: 'Administrator',
  });
  let sources: SourceEntry[] = [tree.source(slapd!.url, extra)];
  const metrics = new Metrics();
  const deps = async () => ({ db, sources: await sourceRegistry(db, log, sources), log, metrics });
  const sync = async (options: SyncOptions) => runSync(await deps(), scope, tree.name, options);
  const member = (username: string) =>
    db('members')
      .where({ org_id: scope.orgId })
      .whereRaw('lower(username) = ?', [username])
      .first();
  const groupMembers = async (name: string) =>
    (
      await db('memberships as ms')
        .join('groups as g', 'g.id', 'ms.group_id')
        .join('members as m', 'm.id', 'ms.member_id')
        .where({ 'g.org_id': scope.orgId, 'g.name': name })
        .orderBy('m.username')
        .select('m.username')
    ).map((r) => r.username as string);
  const deliver = () =>
    deliverDue(
      db,
      createMailTransport(
        configSchema.parse({ mail: { smtp: { host: '127.0.0.1', port: sink.port } } }),
      ),
      { ...mailOptions, links: f.deps.links },
      log,
    );
  return {
    db,
    tree,
    scope,
    sync,
    deps,
    metrics,
    member,
    groupMembers,
    adminEmail,
    deliver,
    setSources: (s: SourceEntry[]) => (sources = s),
  };
}

const gauge = async (metrics: Metrics, name: string, source: string) =>
  (await metrics.registry.getSingleMetric(name)?.get())?.values.find(
    (v) => v.labels.source === source,
  )?.value;

eachDatabase((kind, fixture) => {
  const t2 = available ? test : test.skip;

  t2(
    `[${kind}] a held run stays decidable while scheduled runs go on without removals; approval applies only removals still gone`,
    async (t) => {
      const s = await setup(fixture(), 10);
      const admin: Scope = { orgId: s.scope.orgId, actor: LOCAL_ADMIN };
      const dn = (uid: string) => s.tree.userDN(uid);
      await s.tree.addGroup('eng', ['user0', 'user1', 'user2', 'user3', 'user4'].map(dn));
      t.is((await s.sync(SCHEDULED_FULL)).status, 'succeeded');
      t.deepEqual(await s.groupMembers('eng'), ['user0', 'user1', 'user2', 'user3', 'user4']);

      // Three people leave (more than 10% of 10): their group drops them too, as AD does.
      await s.tree.remove(dn('user0'));
      await s.tree.remove(dn('user2'));
      // user1 is moved out of the source's scope; it will come back before the decision.
      await s.tree.move(dn('user1'), `uid=user1,${s.tree.groups}`);
      await s.tree.replace(s.tree.groupDN('eng'), 'member', [dn('user3'), dn('user4')]);
      const held = await s.sync(SCHEDULED_FULL);
      t.is(held.status, 'held');
      t.is(held.held, 3);
      t.deepEqual(
        (held.samples.disabled ?? []).map((c) => c.name).sort(),
        ['user0', 'user1', 'user2'],
        'the held removals are named by login',
      );
      t.is((await s.member('user0'))!.status, 'active', 'a held run disables nobody');
      t.deepEqual(
        await s.groupMembers('eng'),
        ['user0', 'user1', 'user2', 'user3', 'user4'],
        'held removals keep their group memberships until approved',
      );
      t.is(await gauge(s.metrics, 'provisiond_sync_held', s.tree.name), 1);
      const [summary] = await listSources(await s.deps(), admin);
      t.like(summary?.heldRun, { id: held.id, removals: 3 });

      // The schedule goes on: a newcomer is created, another departure waits, nothing is removed.
      await s.tree.addUser({ uid: 'newcomer' });
      await s.tree.remove(dn('user5'));
      const later = await s.sync(SCHEDULED_FULL);
      t.is(later.status, 'succeeded', later.error ?? '');
      t.like(later.counts, { created: 1, disabled: 0, deleted: 0 });
      t.is(later.withheld, 4);
      t.is(later.withheldFor, held.id);
      const incremental = await s.sync(SCHEDULED_INCREMENTAL);
      t.is(incremental.status, 'succeeded');
      t.is(incremental.counts.disabled, 0);
      t.is((await s.member('user5'))!.status, 'active', 'removals wait while a run is held');
      t.is((await s.member('newcomer'))!.status, 'active');

      // user1 comes back before the decision; approving re-reads the directory.
      await s.tree.move(`uid=user1,${s.tree.groups}`, dn('user1'));
      const approved = await approveRun(await s.deps(), admin, held.id!);
      t.is(approved.status, 'approved');
      t.deepEqual(approved.decision, { applied: 2, returned: 1 });
      t.is((await s.member('user0'))!.status, 'disabled');
      t.is((await s.member('user2'))!.status, 'disabled');
      t.is((await s.member('user1'))!.status, 'active', 'a record back in the directory stays');
      t.deepEqual(await s.groupMembers('eng'), ['user1', 'user3', 'user4']);
      t.is(await gauge(s.metrics, 'provisiond_sync_held', s.tree.name), 0);
      await t.throwsAsync(async () => approveRun(await s.deps(), admin, held.id!), {
        message: /already decided/,
      });
      await t.throwsAsync(async () => rejectRun(await s.deps(), admin, held.id!), {
        message: /already decided/,
      });

      // With the decision made, the next full run plans user5's removal again (under the guard).
      const after = await s.sync(SCHEDULED_FULL);
      t.like(after.counts, { disabled: 1 });
      t.is(after.withheld, 0);
      t.is((await s.member('user5'))!.status, 'disabled');

      // The administrators were told, through the outbox and SMTP.
      const before = sink.messages.length;
      await s.deliver();
      const mail = await sink.mailTo(s.adminEmail, 0);
      t.regex(mail, new RegExp(`sync approve ${held.id}`));
      t.regex(mail, /would disable or delete 3 members, more than/);
      t.true(sink.messages.length >= before);
    },
  );

  t2(
    `[${kind}] a failing source backs off, is quarantined after N failures with its error code, and resumes`,
    async (t) => {
      const s = await setup(fixture(), 2, {
        health: { backoffSeconds: 30, maxBackoffSeconds: 60, quarantineAfter: 3 },
      });
      const admin: Scope = { orgId: s.scope.orgId, actor: LOCAL_ADMIN };
      t.is((await s.sync(SCHEDULED_FULL)).status, 'succeeded');
      const working = s.tree.source(slapd!.url, {
        health: { backoffSeconds: 30, maxBackoffSeconds: 60, quarantineAfter: 3 },
      });
      // A port nothing listens on: the connection is refused.
      s.setSources([
        s.tree.source('ldap://127.0.0.1:9', {
          health: { backoffSeconds: 30, maxBackoffSeconds: 60, quarantineAfter: 3 },
          timeoutSeconds: 2,
        }),
      ]);
      const first = await s.sync(SCHEDULED_FULL);
      t.is(first.status, 'failed');
      let [summary] = await listSources(await s.deps(), admin);
      t.like(summary?.health, { state: 'backing-off', failures: 1, lastErrorCode: 'ECONNREFUSED' });
      const wait = new Date(summary!.health.retryAfter!).getTime() - Date.now();
      t.true(wait > 20_000 && wait <= 30_000, `the first back-off is 30 s (${wait} ms)`);
      t.like(await scheduledRunAllowed(s.db, s.scope.orgId, s.tree.name), { allowed: false });
      await s.sync(SCHEDULED_FULL);
      [summary] = await listSources(await s.deps(), admin);
      const capped = new Date(summary!.health.retryAfter!).getTime() - Date.now();
      t.true(capped > 50_000 && capped <= 60_000, `doubled to 60 s (${capped} ms)`);
      await s.sync(SCHEDULED_FULL);
      [summary] = await listSources(await s.deps(), admin);
      t.like(summary?.health, { state: 'quarantined', failures: 3, lastErrorCode: 'ECONNREFUSED' });
      t.is(await gauge(s.metrics, 'provisiond_sync_quarantined', s.tree.name), 1);
      const blocked = await scheduledRunAllowed(
        s.db,
        s.scope.orgId,
        s.tree.name,
        new Date(Date.now() + 3600_000),
      );
      t.like(blocked, { allowed: false });
      t.regex((blocked as { reason: string }).reason, /quarantined/);
      await s.deliver();
      const mail = await sink.mailTo(s.adminEmail, 0);
      t.regex(mail, /is quarantined/);
      t.regex(mail, /failed 3 times in a row/);
      t.regex(mail, /ECONNREFUSED/);

      const resumed = await resumeQuarantined(await s.deps(), admin, s.tree.name);
      t.like(resumed.health, { state: 'healthy', failures: 0 });
      t.like(await scheduledRunAllowed(s.db, s.scope.orgId, s.tree.name), { allowed: true });

      // Quarantined again, a successful manual run lifts it.
      for (let i = 0; i < 3; i++) await s.sync(SCHEDULED_FULL);
      [summary] = await listSources(await s.deps(), admin);
      t.is(summary?.health.state, 'quarantined');
      s.setSources([working]);
      t.is((await s.sync({ ...SCHEDULED_FULL, trigger: 'cli' })).status, 'succeeded');
      [summary] = await listSources(await s.deps(), admin);
      t.like(summary?.health, { state: 'healthy', failures: 0, lastErrorCode: 'ECONNREFUSED' });
    },
  );

  t2(
    `[${kind}] a run's change list names logins with attribute diffs, paged and as CSV`,
    async (t) => {
      const s = await setup(fixture(), 5);
      const first = await s.sync(SCHEDULED_FULL);
      const page1 = await listChanges(s.db, s.scope.orgId, first.id!, { page: 1, pageSize: 2 });
      const page3 = await listChanges(s.db, s.scope.orgId, first.id!, { page: 3, pageSize: 2 });
      t.like(page1, { total: 5, page: 1, pageSize: 2 });
      t.is(page1.items.length, 2);
      t.is(page3.items.length, 1);
      const all = [
        ...page1.items,
        ...(await listChanges(s.db, s.scope.orgId, first.id!, { page: 2, pageSize: 2 })).items,
        ...page3.items,
      ];
      t.deepEqual(all.map((c) => c.login).sort(), ['user0', 'user1', 'user2', 'user3', 'user4']);
      t.true(all.every((c) => c.action === 'created'));

      await s.tree.replace(s.tree.userDN('user1'), 'sn', ['Renamed']);
      await s.tree.replace(s.tree.userDN('user1'), 'mail', ['moved@example.org']);
      const second = await s.sync(SCHEDULED_FULL);
      const { items } = await listChanges(s.db, s.scope.orgId, second.id!, {
        page: 1,
        pageSize: 50,
      });
      t.deepEqual(items, [
        {
          action: 'updated',
          login: 'user1',
          externalId: items[0]!.externalId,
          detail: null,
          attributes: [
            { field: 'email', before: 'user1@example.org', after: 'moved@example.org' },
            { field: 'lastName', before: 'Test', after: 'Renamed' },
          ],
        },
      ]);
      t.deepEqual(second.samples.updated?.[0]?.attributes, items[0]!.attributes);
      let csv = '';
      for await (const chunk of changesCsv(s.db, s.scope.orgId, second.id!)) csv += chunk;
      t.is(
        csv,
        `action,login,externalId,detail,attributes\nupdated,user1,${items[0]!.externalId},,email: user1@example.org → moved@example.org; lastName: Test → Renamed\n`,
      );
      await t.throwsAsync(
        () =>
          listChanges(s.db, s.scope.orgId, '00000000-0000-0000-0000-000000000000', {
            page: 1,
            pageSize: 5,
          }),
        { message: /was not found/ },
      );
    },
  );

  t2(`[${kind}] a schedule runs for each organization it names, in its time zone`, async (t) => {
    const f = fixture();
    const s = await setup(f, 2, {
      schedule: {
        full: '* * * * * *',
        timezone: 'Europe/Paris',
        organizations: ['placeholder'],
      },
    });
    const other = await f.newOrg();
    const source = s.tree.source(slapd!.url, {
      schedule: {
        full: '* * * * * *',
        timezone: 'Europe/Paris',
        organizations: [s.scope.orgId, other.orgId, 'no-such-organization'],
      },
    });
    const ctx = {
      database: { knex: s.db },
      config: { sources: [source] },
      sources: await sourceRegistry(s.db, log, [source]),
      log,
      metrics: new Metrics(),
      defaultOrgId: '00000000-0000-0000-0000-000000000000',
    } as unknown as AppContext;
    const scheduler = startScheduler(ctx);
    const created = (orgId: string) =>
      s.db('members').where({ org_id: orgId, source: s.tree.name }).count({ n: '*' });
    try {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const [[a], [b]] = await Promise.all([created(s.scope.orgId), created(other.orgId)]);
        if (Number(a!.n) === 2 && Number(b!.n) === 2) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await scheduler.stop(10_000);
    }
    for (const orgId of [s.scope.orgId, other.orgId]) {
      t.is(Number((await created(orgId))[0]!.n), 2, 'both organizations are synced');
      const run = await s.db('sync_runs').where({ org_id: orgId, trigger: 'schedule' }).first();
      t.truthy(run);
    }
    t.throws(
      () =>
        ldapSourceSchema.parse({
          ...source,
          schedule: { full: '0 3 * * *', timezone: 'Mars/Olympus' },
        }),
      { message: /IANA time zone/ },
    );
  });
});
