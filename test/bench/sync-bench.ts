import { execFileSync, spawn } from 'node:child_process';
import { Client } from 'ldapts';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { ADMIN_DN, ADMIN_PASSWORD, SUFFIX, startSlapd } from '../helpers/slapd.ts';

// `npm run bench:sync`: N users (default 100,000) and 2,000 groups (one group per user, so about N
// memberships, plus 50 groups nesting other groups) loaded offline into a throwaway slapd; then
// `ldapsearch` reads the users (the physical limit), and one worker process per database runs the
// initial full sync, a no-change full resync and an incremental sync after 100 user and 10 group
// changes. A process per database so that each peak RSS is its own. One JSON line per measurement.

const N = Number(process.env.BENCH_USERS ?? 100_000);
const GROUPS = 2000;
const NESTED = 50;
const PLAIN = GROUPS - NESTED;
const people = `ou=people,${SUFFIX}`;
const groups = `ou=groups,${SUFFIX}`;
const uid = (i: number) => `user${String(i).padStart(6, '0')}`;
const groupDN = (g: number) => `cn=group${String(g).padStart(4, '0')},${groups}`;

function ldif(): string {
  const out: string[] = [];
  for (let i = 0; i < N; i++) {
    out.push(
      `dn: uid=${uid(i)},${people}\nobjectClass: inetOrgPerson\nuid: ${uid(i)}\ncn: Given${i} Family${i}\ngivenName: Given${i}\nsn: Family${i}\nmail: ${uid(i)}@example.org\nmemberOf: ${groupDN(i % PLAIN)}\n`,
    );
  }
  for (let g = 0; g < PLAIN; g++) {
    const members: string[] = [];
    for (let i = g; i < N; i += PLAIN) members.push(`member: uid=${uid(i)},${people}`);
    out.push(
      `dn: ${groupDN(g)}\nobjectClass: groupOfNames\ncn: group${String(g).padStart(4, '0')}\n${(members.length > 0 ? members : [`member: ${people}`]).join('\n')}\n`,
    );
  }
  for (let g = PLAIN; g < GROUPS; g++) {
    const inner = [0, 1, 2].map((k) => `member: ${groupDN((g * 3 + k) % PLAIN)}`);
    out.push(
      `dn: ${groupDN(g)}\nobjectClass: groupOfNames\ncn: group${String(g).padStart(4, '0')}\n${inner.join('\n')}\n`,
    );
  }
  return out.join('\n');
}

const ATTRIBUTES = [
  'entryUUID',
  'uid',
  'mail',
  'givenName',
  'sn',
  'displayName',
  'memberOf',
  'entryCSN',
];

/**
 * The same read through ldapts, the LDAP client provisiond uses, doing nothing with the entries:
 * what a sync cannot go below in Node, beside `ldapsearch`'s C client.
 */
async function ldaptsRead(url: string): Promise<{ seconds: number; cpuSeconds: number }> {
  const client = new Client({ url });
  await client.bind(ADMIN_DN, ADMIN_PASSWORD);
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let entries = 0;
    for await (const page of client.searchPaginated(people, {
      scope: 'sub',
      filter: '(objectClass=inetOrgPerson)',
      attributes: ATTRIBUTES,
      paged: { pageSize: 1000 },
    }))
      entries += page.searchEntries.length;
    const cpu = process.cpuUsage(cpu0);
    if (entries !== N) throw new Error(`ldapts read ${entries} users, not ${N}`);
    return {
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    await client.unbind();
  }
}

const emit = (line: Record<string, string | number>) =>
  process.stdout.write(`${JSON.stringify(line)}\n`);

process.stderr.write(`[sync] generating and loading ${N} users and ${GROUPS} groups into slapd\n`);
const loadStart = performance.now();
const slapd = await startSlapd(ldif());
process.stderr.write(`[sync] loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s\n`);
try {
  const t0 = performance.now();
  execFileSync(
    'ldapsearch',
    [
      '-x',
      '-LLL',
      '-H',
      slapd.url,
      '-D',
      ADMIN_DN,
      '-w',
      ADMIN_PASSWORD,
      '-b',
      people,
      '-E',
      'pr=1000/noprompt',
      '(objectClass=inetOrgPerson)',
      ...ATTRIBUTES,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 },
  );
  const seconds = (performance.now() - t0) / 1000;
  emit({
    bench: 'sync',
    scenario: 'ldapsearch-users',
    db: 'none',
    users: N,
    seconds: Number(seconds.toFixed(3)),
    usersPerSecond: Math.round(N / seconds),
  });
  const read = await ldaptsRead(slapd.url);
  emit({
    bench: 'sync',
    scenario: 'ldapts-read-users',
    db: 'none',
    users: N,
    seconds: Number(read.seconds.toFixed(3)),
    cpuSeconds: Number(read.cpuSeconds.toFixed(3)),
    timesLdapsearch: Number((read.seconds / seconds).toFixed(2)),
  });

  const worker = path.join(path.dirname(new URL(import.meta.url).pathname), 'sync-bench-worker.ts');
  // BENCH_DATABASES=postgres runs one; BENCH_CPU_PROFILE=DIR writes a V8 profile per worker there.
  for (const db of (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',')) {
    process.stderr.write(`[sync] ${db}\n`);
    const code = await new Promise<number | null>((resolve) => {
      const profile = process.env.BENCH_CPU_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
        : [];
      const child = spawn(process.execPath, [...profile, '--import', 'tsx', worker], {
        env: {
          ...process.env,
          BENCH_DB: db,
          BENCH_LDAP_URL: slapd.url,
          BENCH_USERS: String(N),
          BENCH_LDAPSEARCH_SECONDS: String(seconds),
          BENCH_LDAPTS_SECONDS: String(read.seconds),
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.once('exit', resolve);
    });
    if (code !== 0) process.stderr.write(`[sync] the ${db} worker exited with ${code}\n`);
  }
} finally {
  await slapd.stop();
}
