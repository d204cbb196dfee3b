import test from 'ava';
import { writeFileSync } from 'node:fs';
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
    ['corp', 'nightly'],
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
