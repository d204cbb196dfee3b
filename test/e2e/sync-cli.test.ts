import test from 'ava';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { PASSWORD_ENV, Subtree } from '../helpers/ldap-directory.ts';
import {
  ADMIN_DN,
  ADMIN_PASSWORD,
  type Slapd,
  slapdAvailable,
  startSlapd,
} from '../helpers/slapd.ts';

// A user's path through the README: the example configuration pointing at a real slapd, the
// daemon, then `sources test`, `ldap search`, `sync --preview`, `sync`, `runs`, the deletion guard
// with `sync approve`, the scheduler and the metrics.

const available = slapdAvailable();
if (!available)
  console.warn(
    'SKIPPED: slapd is not installed; the sync CLI tests did not run (CI sets PROVISIOND_REQUIRE_LDAP=1)',
  );
const t2 = available ? test.serial : test.serial.skip;

let slapd: Slapd | undefined;
let daemon: DaemonProcess | undefined;
let corp: Subtree;
let watched: Subtree;
const dir = tempDir('provisiond-sync-e2e-');
const env = {
  PROVISIOND_DATA_DIR: path.join(dir, 'data'),
  PROVISIOND_CONFIG: path.join(dir, 'provisiond.yaml'),
  CORP_LDAP_PASSWORD: ADMIN_PASSWORD,
  [PASSWORD_ENV]: ADMIN_PASSWORD,
};
const cli = async (...args: string[]) => {
  const result = await runCli(args, env);
  return {
    ...result,
    json: result.stdout.trim().startsWith('{') ? JSON.parse(result.stdout) : undefined,
  };
};

test.before(async () => {
  if (!available) return;
  slapd = await startSlapd();
  corp = await Subtree.create(slapd, 'corp');
  const nightly = await Subtree.create(slapd, 'nightly');
  for (let i = 0; i < 10; i++)
    await corp.addUser({ uid: `emp${i}`, givenName: `Emp${i}`, sn: 'Corp' });
  await corp.addGroup('staff', [corp.userDN('emp0'), corp.userDN('emp1')]);
  await nightly.addUser({ uid: 'night' });
  watched = await Subtree.create(slapd, 'watched');
  for (let i = 0; i < 10; i++) await watched.addUser({ uid: `w${i}` });
  writeFileSync(
    env.PROVISIOND_CONFIG,
    `
sources:
  - name: corp
    type: ldap
    flavor: openldap
    url: ${slapd.url}
    bindDN: ${ADMIN_DN}
    bindCredentials: { env: CORP_LDAP_PASSWORD }
    users:  { baseDN: "${corp.people}", filter: "(objectClass=inetOrgPerson)" }
    groups: { baseDN: "${corp.groups}", filter: "(objectClass=groupOfNames)" }
    onUnmatched: create
    onDeleted: disable
  - name: nightly
    type: ldap
    flavor: openldap
    url: ${slapd.url}
    bindDN: ${ADMIN_DN}
    bindCredentials: { env: CORP_LDAP_PASSWORD }
    users: { baseDN: "${nightly.people}" }
    schedule: { full: "*/2 * * * * *" }
  - name: watched
    type: ldap
    flavor: openldap
    url: ${slapd.url}
    bindDN: ${ADMIN_DN}
    bindCredentials: { env: CORP_LDAP_PASSWORD }
    users: { baseDN: "${watched.people}" }
    schedule: { full: "*/2 * * * * *" }
  - name: broken
    type: ldap
    flavor: openldap
    url: ldap://127.0.0.1:9
    bindDN: ${ADMIN_DN}
    bindCredentials: { env: CORP_LDAP_PASSWORD }
    users: { baseDN: "${corp.people}" }
    schedule: { full: "* * * * * *" }
    health: { backoffSeconds: 1, maxBackoffSeconds: 1, quarantineAfter: 2 }
`,
  );
  daemon = await startDaemonProcess(env);
});
test.after.always(async () => {
  await daemon?.stop();
  await slapd?.stop();
});

t2('sources list and test, ldap search', async (t) => {
  const list = await cli('sources', 'list', '--json');
  t.is(list.code, 0, list.stderr);
  t.deepEqual(
    list.json.items.map((s: { name: string }) => s.name),
    ['corp', 'nightly', 'watched', 'broken'],
  );
  t.false(list.stdout.includes(ADMIN_PASSWORD), 'no secret is shown');
  t.like((await cli('sources', 'test', 'corp', '--json')).json, { ok: true });
  const found = await cli('ldap', 'search', 'corp', 'emp1', '--json');
  t.deepEqual(
    found.json.items.map((e: { name: string }) => e.name),
    ['emp1'],
  );
  t.is((await cli('ldap', 'search', 'corp', '*)(uid=*', '--json')).json.total, 0);
});

t2('sync --preview writes nothing; sync creates; a second sync changes nothing', async (t) => {
  const preview = await cli('sync', 'corp', '--preview', '--json');
  t.is(preview.code, 0, preview.stderr);
  t.like(preview.json, { status: 'preview', counts: { created: 10, groupsCreated: 1 } });
  t.is((await cli('members', 'list', '--source', 'corp', '--json')).json.total, 0);
  const human = await cli('sync', 'corp', '--preview');
  t.regex(human.stdout, /first changes of each kind:[\s\S]*created\s+emp0/);

  const run = await cli('sync', 'corp', '--json');
  t.like(run.json, {
    status: 'succeeded',
    mode: 'full',
    counts: {
      created: 10,
      updated: 0,
      linked: 0,
      disabled: 0,
      deleted: 0,
      invited: 0,
      unchanged: 0,
      disputed: 0,
      errors: 0,
    },
  });
  t.is((await cli('members', 'list', '--source', 'corp', '--json')).json.total, 10);
  t.deepEqual(
    (await cli('groups', 'members', 'staff', '--json')).json.items.map(
      (m: { username: string }) => m.username,
    ),
    ['emp0', 'emp1'],
  );
  const again = await cli('sync', 'corp', '--full', '--json');
  t.like(again.json, { status: 'succeeded', counts: { created: 0, updated: 0, unchanged: 10 } });
  const runs = await cli('runs', 'list', '--source', 'corp', '--json');
  t.is(runs.json.total, 2);
  t.like((await cli('runs', 'show', run.json.id, '--json')).json, {
    id: run.json.id,
    status: 'succeeded',
  });
});

t2('the deletion guard holds a run until sync approve', async (t) => {
  for (const uid of ['emp7', 'emp8', 'emp9']) await corp.remove(corp.userDN(uid));
  const held = await cli('sync', 'corp', '--full', '--json');
  t.like(held.json, { status: 'held', held: 3, counts: { disabled: 3 } });
  t.is((await cli('members', 'list', '--status', 'disabled', '--json')).json.total, 0);
  const shown = await cli('runs', 'show', held.json.id);
  t.regex(
    shown.stdout,
    new RegExp(
      `3 members to disable or delete, waiting for "provisiond sync approve ${held.json.id}"`,
    ),
  );
  const approved = await cli('sync', 'approve', held.json.id, '--json');
  t.is(approved.code, 0, approved.stderr);
  t.like(approved.json, { status: 'approved' });
  t.is((await cli('members', 'list', '--status', 'disabled', '--json')).json.total, 3);
  const rejected = await cli('sync', 'reject', held.json.id);
  t.is(rejected.code, 1);
  t.regex(rejected.stderr, /approved, not held/);
});

t2('the scheduler runs a source on its cron schedule; metrics per source', async (t) => {
  const deadline = Date.now() + 20_000;
  let runs: Array<{ trigger: string; status: string }> = [];
  while (Date.now() < deadline) {
    runs = (await cli('runs', 'list', '--source', 'nightly', '--json')).json.items;
    if (runs.some((r) => r.trigger === 'schedule' && r.status === 'succeeded')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  t.true(runs.some((r) => r.trigger === 'schedule' && r.status === 'succeeded'));
  const metrics = await api(daemon!.url, 'GET', '/metrics');
  t.regex(
    metrics.body as string,
    /provisiond_sync_runs_total\{source="corp",mode="full",status="succeeded"\} 2/,
  );
  t.regex(
    metrics.body as string,
    /provisiond_sync_changes_total\{source="corp",change="created"\} 10/,
  );
});

/** The admin API through the daemon's local socket, as the CLI reaches it (quicker to poll). */
function local(
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: path.join(env.PROVISIOND_DATA_DIR, 'provisiond.sock'),
        path: urlPath,
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    value = await read();
  }
  return value;
}

const runsOf = async (source: string): Promise<Array<Record<string, any>>> =>
  (await local('GET', `/api/v1/runs?source=${source}&limit=100`)).body.items;
const sourceNamed = async (name: string): Promise<Record<string, any>> =>
  (await local('GET', '/api/v1/sources')).body.items.find((s: { name: string }) => s.name === name);
const disabledIn = async (source: string) =>
  (await local('GET', `/api/v1/members?source=${source}&status=disabled`)).body.total as number;

/**
 * Waits for a moment between two runs of a source scheduled every 2 s (on even seconds): the run
 * of the current tick has finished and at least a second remains before the next one. Changes
 * made then are seen together by the next run, never split across two.
 */
async function betweenRuns(source: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const runs = await runsOf(source);
    const now = Date.now();
    const tick = now - (now % 2000);
    const done = runs.some((r) => r.finishedAt !== null && Date.parse(r.startedAt) >= tick);
    if (done && now - tick < 1000) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no pause between two runs of ${source} within 60 s`);
}

t2('a held run on a schedule every 2 s stays approvable; later runs remove nobody', async (t) => {
  await until(
    () => runsOf('watched'),
    (runs) => runs.some((r) => r.status === 'succeeded'),
  );
  // One removal alone is within the deletion guard (10 % of 10 members) and would be applied: the
  // three must reach the same run.
  await betweenRuns('watched');
  for (const uid of ['w0', 'w1', 'w2']) await watched.remove(watched.userDN(uid));
  let runs = await until(
    () => runsOf('watched'),
    (rs) => rs.some((r) => r.status === 'held'),
  );
  const held = runs.find((r) => r.status === 'held');
  t.truthy(held, 'the schedule held a run');
  runs = await until(
    () => runsOf('watched'),
    (rs) => rs.filter((r) => r.withheldFor === held!.id && r.status === 'succeeded').length >= 2,
  );
  const later = runs.filter((r) => r.withheldFor === held!.id && r.status === 'succeeded');
  t.true(later.length >= 2, 'scheduled runs went on after the held one');
  for (const r of later) t.like(r, { withheld: 3, counts: { disabled: 0 } });
  t.is(await disabledIn('watched'), 0);

  const list = await cli('sources', 'list');
  t.regex(list.stdout, new RegExp(`watched: run ${held!.id} is held with 3 removals`));
  const metrics = await api(daemon!.url, 'GET', '/metrics');
  t.regex(metrics.body as string, /provisiond_sync_held\{source="watched"\} 1/);

  const approved = await cli('sync', 'approve', held!.id, '--json');
  t.is(approved.code, 0, approved.stderr);
  t.like(approved.json, { status: 'approved', decision: { applied: 3, returned: 0 } });
  t.is(await disabledIn('watched'), 3);
  const again = await local('POST', `/api/v1/runs/${held!.id}/approve`);
  t.is(again.status, 409);
  t.regex(again.body.detail, /already decided/);
});

t2(
  'a source that keeps failing backs off, is quarantined with its error code, and resumes',
  async (t) => {
    const broken = await until(
      () => sourceNamed('broken'),
      (s) => s.health.state === 'quarantined',
    );
    t.like(broken.health, { state: 'quarantined', failures: 2, lastErrorCode: 'ECONNREFUSED' });
    const list = await cli('sources', 'list');
    t.regex(list.stdout, /QUARANTINED after 2 failures: ECONNREFUSED/);
    t.regex(list.stdout, /provisiond sources resume broken/);
    t.regex(daemon!.output(), /"errorCode":"ECONNREFUSED"/, 'the log shows the real error code');
    t.false(daemon!.output().includes('"code":"[redacted]"'));
    // Quarantined: the schedule (every second) no longer runs it.
    const count = (await runsOf('broken')).length;
    await new Promise((r) => setTimeout(r, 2500));
    t.is((await runsOf('broken')).length, count);
    const resumed = await cli('sources', 'resume', 'broken', '--json');
    t.is(resumed.code, 0, resumed.stderr);
    t.like(resumed.json, { source: 'broken', health: { state: 'healthy', failures: 0 } });
    const unknown = await local('POST', '/api/v1/sources/nosuch/resume');
    t.is(unknown.status, 404);
    t.regex(unknown.body.detail, /nosuch/);
  },
);

t2('one user on demand, add on the spot, and a run exported by login', async (t) => {
  await corp.addUser({ uid: 'late', givenName: 'Late', sn: 'Comer' });
  const preview = await cli('sync', 'corp', '--user', 'late', '--preview');
  t.is(preview.code, 0, preview.stderr);
  t.regex(preview.stdout, /1\. found in corp: uid=late/);
  t.regex(preview.stdout, /situation: unmatched/);
  t.regex(preview.stdout, /action: created \(preview: nothing written\)/);
  const unknown = await local('POST', '/api/v1/sources/corp/provision', { login: 'ghost' });
  t.is(unknown.status, 404);
  t.regex(unknown.body.detail, /"ghost" was not found in source "corp"/);
  const neither = await local('POST', '/api/v1/sources/corp/add', {});
  t.is(neither.status, 400);
  t.is(neither.body.issues[0].field, 'login');
  const added = await local('POST', '/api/v1/sources/corp/add', { login: 'late' });
  t.is(added.status, 201);
  t.like(added.body, { action: 'created', login: 'late' });

  await corp.replace(corp.userDN('emp1'), 'sn', ['Renamed']);
  const run = await cli('sync', 'corp', '--full', '--json');
  const csv = await cli('runs', 'show', run.json.id, '--changes', '--csv');
  t.is(csv.code, 0, csv.stderr);
  t.regex(csv.stdout, /^action,login,externalId,detail,attributes\n/);
  t.regex(csv.stdout, /updated,emp1,[^,]+,,lastName: Corp → Renamed/);
  const exported = await cli('runs', 'show', run.json.id, '--changes', '--json');
  t.like(exported.json, { run: run.json.id, total: 1 });
  t.like(exported.json.items[0], { action: 'updated', login: 'emp1' });

  // Profile attributes through the attribute map, printed by `members show`.
  await corp.replace(corp.userDN('late'), 'title', ['Night Porter']);
  await corp.replace(corp.userDN('late'), 'departmentNumber', ['Lobby']);
  const mapped = await cli('sync', 'corp', '--full', '--json');
  t.like(mapped.json.counts, { updated: 1 });
  const shown = await cli('members', 'show', 'late');
  t.is(shown.code, 0, shown.stderr);
  t.regex(shown.stdout, /^title\s+Night Porter$/m);
  t.regex(shown.stdout, /^department\s+Lobby$/m);
  const asJson = await cli('members', 'show', 'late', '--json');
  t.deepEqual(asJson.json.directory, { department: 'Lobby', title: 'Night Porter' });
});
