import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Attribute, Change, Client } from 'ldapts';
import pg from 'pg';
import { LOCAL_ADMIN } from '../../src/access/actor.ts';
import { ldapSourceSchema } from '../../plugins/ldap/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { limitHeapGrowth } from '../../src/daemon/heap-growth.ts';
import { createOrganization } from '../../src/orgs/organizations.ts';
import { type Database, openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { runSync, type SyncOptions } from '../../src/sync/run-sync.ts';
import { ADMIN_DN, ADMIN_PASSWORD, SUFFIX } from '../helpers/slapd.ts';
import { sourceRegistry } from '../helpers/sources.ts';
import { DAEMON_ENV } from './daemon-env.ts';
import { membersTableSeconds } from './members-table-rate.ts';

// One database's part of `npm run bench:sync` (see sync-bench.ts), in its own process, with the
// heap sized as the daemon's.

limitHeapGrowth();

const db = process.env.BENCH_DB as 'postgres' | 'pglite';
const url = process.env.BENCH_LDAP_URL!;
const N = Number(process.env.BENCH_USERS);
/** The two reads timed by sync-bench.ts in the same run, the ceilings of the full runs below. */
const LDAPSEARCH_SECONDS = Number(process.env.BENCH_LDAPSEARCH_SECONDS);
const LDAPTS_SECONDS = Number(process.env.BENCH_LDAPTS_SECONDS);
const ratio = (seconds: number, ceiling: number) => Number((seconds / ceiling).toFixed(2));
const PG_BASE = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

const emit = (line: Record<string, string | number>) =>
  process.stdout.write(`${JSON.stringify(line)}\n`);
const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** The database, and where the daemon finds it: a data directory for PGlite, a URL for PostgreSQL. */
interface Opened {
  database: Database;
  url?: string;
  dataDir?: string;
  /** Removes what `open` made; the database must be closed first. */
  drop(): Promise<void>;
}

async function open(): Promise<Opened> {
  if (db === 'pglite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'provisiond-bench-sync-'));
    return {
      database: await openDatabase({ dataDir: dir }),
      dataDir: dir,
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const name = `provisiond_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_BASE });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const target = new URL(PG_BASE);
  target.pathname = `/${name}`;
  return {
    database: await openDatabase({ url: target.toString(), dataDir: 'memory://' }),
    url: target.toString(),
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

/** The daemon's peak resident memory so far (VmHWM), in MB. */
async function peakRssOfMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  if (!kB) throw new Error(`/proc/${pid}/status has no VmHWM`);
  return Math.round(Number(kB) / 1024);
}

const opened = await open();
const { database } = opened;
let databaseOpen = true;
try {
  const knex = database.knex;
  await migrateToLatest(knex);
  const org = await createOrganization(knex, LOCAL_ADMIN, {
    name: 'Bench',
    slug: `bench-${randomBytes(3).toString('hex')}`,
  });
  // The floor under a first sync, timed before it on the same database: the members table's own
  // rate for N rows, without their links, groups, memberships or audit entries.
  const tableSeconds = await membersTableSeconds(knex, org.id, N, {
    first: Array.from({ length: 1000 }, (_, k) => `Given${k}`),
    last: Array.from({ length: 1000 }, (_, k) => `Family${k}`),
  });
  const membersTable = (seconds: number) => ({
    membersTableSeconds: Number(tableSeconds.toFixed(3)),
    timesMembersTable: ratio(seconds, tableSeconds),
  });
  process.env.BENCH_LDAP_PASSWORD = ADMIN_PASSWORD;
  const sources = [
    ldapSourceSchema.parse({
      name: 'bench',
      type: 'ldap',
      flavor: 'openldap',
      url,
      bindDN: ADMIN_DN,
      bindCredentials: { env: 'BENCH_LDAP_PASSWORD' },
      users: { baseDN: `ou=people,${SUFFIX}` },
      groups: { baseDN: `ou=groups,${SUFFIX}` },
    }),
  ];
  const writes = async () => {
    const { rows } = (await knex.raw(
      'select (select count(*) from audit_log where org_id = ?)::int as audit, (select coalesce(sum(version), 0) from members where org_id = ?)::int as versions',
      [org.id, org.id],
    )) as { rows: Array<{ audit: number; versions: number }> };
    return rows[0]!.audit + rows[0]!.versions;
  };
  const measure = async (scenario: string, options: SyncOptions) => {
    const before = await writes();
    const t0 = performance.now();
    const log = createLogger('warn', 'stderr');
    const run = await runSync(
      {
        db: knex,
        sources: await sourceRegistry(knex, log, sources),
        log,
        writers: database.writers,
      },
      { orgId: org.id, actor: LOCAL_ADMIN },
      'bench',
      options,
    );
    const seconds = (performance.now() - t0) / 1000;
    if (run.status !== 'succeeded')
      throw new Error(`${scenario}: ${run.status} ${run.error ?? ''}`);
    const c = run.counts;
    const processed = c.created + c.updated + c.linked + c.unchanged + c.errors + c.disputed;
    emit({
      bench: 'sync',
      scenario,
      db,
      users: N,
      usersProcessed: processed,
      seconds: Number(seconds.toFixed(3)),
      usersPerSecond: Math.round(processed / seconds),
      ...(options.mode === 'full' && {
        ldapsearchSeconds: Number(LDAPSEARCH_SECONDS.toFixed(3)),
        timesLdapsearch: ratio(seconds, LDAPSEARCH_SECONDS),
        timesLdaptsRead: ratio(seconds, LDAPTS_SECONDS),
      }),
      ...(scenario === 'initial-full' && membersTable(seconds)),
      peakRssMB: peakRssMB(),
      created: c.created,
      updated: c.updated,
      unchanged: c.unchanged,
      membershipsAdded: c.membershipsAdded,
      membershipsRemoved: c.membershipsRemoved,
      groupsCreated: c.groupsCreated,
      writes: (await writes()) - before,
    });
  };
  const full: SyncOptions = { mode: 'full', preview: false, trigger: 'cli' };
  await measure('initial-full', full);
  await measure('no-change-full', full);

  /** 100 users get a new `sn` and 10 groups a new member; `round` keeps each round's changes apart. */
  const changeDirectory = async (round: number) => {
    const admin = new Client({ url });
    await admin.bind(ADMIN_DN, ADMIN_PASSWORD);
    const stamp = `${db}-${round}-${Date.now()}`;
    const offset = (db === 'pglite' ? 13 : 0) + round * 31;
    for (let k = 0; k < 100; k++) {
      const i = (k * 997 + offset) % N;
      await admin.modify(
        `uid=user${String(i).padStart(6, '0')},ou=people,${SUFFIX}`,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'sn', values: [`Changed ${stamp}`] }),
        }),
      );
    }
    for (let g = 0; g < 10; g++) {
      const member = `uid=user${String((g * 7919 + 5 + round) % N).padStart(6, '0')},ou=people,${SUFFIX}`;
      await admin.modify(
        `cn=group${String(g * 100 + (db === 'pglite' ? 1 : 0) + round * 2).padStart(4, '0')},ou=groups,${SUFFIX}`,
        new Change({
          operation: 'add',
          modification: new Attribute({ type: 'member', values: [member] }),
        }),
      );
    }
    await admin.unbind();
  };
  await changeDirectory(0);
  await measure('incremental-100-users-10-groups', { ...full, mode: 'incremental' });
  // A second organization, for the daemon's own first sync below.
  const daemonOrg = await createOrganization(knex, LOCAL_ADMIN, {
    name: 'Bench daemon',
    slug: `bench-daemon-${randomBytes(3).toString('hex')}`,
  });
  // The same runs as an administrator starts them: the installed CLI, its wall time including
  // starting Node and loading the CLI. On PostgreSQL first with no daemon running (the CLI then
  // opens the database itself); then through the daemon of the database, as with one installed.
  // PGlite is one process's database, so there the bench closes it before the daemon opens it.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'provisiond-bench-cli-'));
  try {
    const config = path.join(dir, 'provisiond.yaml');
    await writeFile(
      config,
      `sources:\n  - name: bench\n    type: ldap\n    flavor: openldap\n    url: ${url}\n    bindDN: ${ADMIN_DN}\n    bindCredentials: { env: BENCH_LDAP_PASSWORD }\n    users: { baseDN: "ou=people,${SUFFIX}" }\n    groups: { baseDN: "ou=groups,${SUFFIX}" }\n`,
    );
    const env = {
      ...process.env,
      DATABASE_URL: opened.url ?? '',
      PROVISIOND_CONFIG: config,
      PROVISIOND_DATA_DIR: opened.dataDir ?? path.join(dir, 'data'),
      NODE_OPTIONS: '',
      PORT: '0',
    };
    const cliSync = (slug: string, ...flags: string[]) => {
      const t0 = performance.now();
      const out = execFileSync(
        process.execPath,
        ['bin/provisiond.js', '--org', slug, '--json', 'sync', 'bench', ...flags],
        { env, encoding: 'utf8' },
      );
      const seconds = (performance.now() - t0) / 1000;
      const run = JSON.parse(out) as {
        status: string;
        counts: { created: number; updated: number };
      };
      if (run.status !== 'succeeded') throw new Error(`cli run: ${out}`);
      return { seconds: Number(seconds.toFixed(3)), counts: run.counts };
    };
    const incremental = async (round: number, scenario: string) => {
      await changeDirectory(round);
      const { seconds, counts } = cliSync(org.slug);
      emit({ bench: 'sync', scenario, db, users: N, usersProcessed: counts.updated, seconds });
    };
    if (opened.url) await incremental(1, 'incremental-100-users-10-groups-cli');
    else {
      await database.close();
      databaseOpen = false;
    }
    const daemon = spawn(process.execPath, ['bin/provisiond.js', 'start'], {
      env: { ...env, ...DAEMON_ENV },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        daemon.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('"msg":"provisiond started"')) resolve();
        });
        daemon.once('exit', (code) => reject(new Error(`the daemon exited with ${code}`)));
      });
      if (opened.url) await incremental(2, 'incremental-100-users-10-groups-cli-daemon');
      const { seconds, counts } = cliSync(daemonOrg.slug, '--full');
      emit({
        bench: 'sync',
        scenario: 'initial-full-daemon',
        db,
        users: N,
        usersProcessed: counts.created,
        seconds,
        ldapsearchSeconds: Number(LDAPSEARCH_SECONDS.toFixed(3)),
        timesLdapsearch: ratio(seconds, LDAPSEARCH_SECONDS),
        timesLdaptsRead: ratio(seconds, LDAPTS_SECONDS),
        ...membersTable(seconds),
        daemonPeakRssMB: await peakRssOfMB(daemon.pid!),
      });
    } finally {
      if (daemon.exitCode === null && daemon.signalCode === null) {
        daemon.kill('SIGTERM');
        await once(daemon, 'exit');
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  if (databaseOpen) await database.close();
  await opened.drop();
}
