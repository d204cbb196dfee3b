import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Request as CannonRequest } from 'autocannon';
import { LOCAL_ADMIN } from '../../src/access/actor.ts';
import { loadCatalog } from '../../src/catalog/catalog-store.ts';
import { createApiKey } from '../../src/keys/api-keys.ts';
import { bulkInsertMembers } from '../../src/members/member-bulk-insert.ts';
import { createOrganization } from '../../src/orgs/organizations.ts';
import { type DatabaseKind, openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { type Line, benchPostgresUrl, createPostgresDatabase } from './bench-databases.ts';
import { freePort } from '../helpers/free-port.ts';
import { DAEMON_ENV } from './daemon-env.ts';

// `npm run bench:scim`: seeds 100,000 members and 1,000 groups, starts the real daemon (the built
// one, with the environment `npm start` gives it) and drives it with autocannon, 50 connections, 15 s a scenario.
// A bare node:http server answering a fixed 1 KB JSON, measured in the same run, is the ceiling; on
// each database a second one does only each request's one statement (`db-ceiling-server.ts`).

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = 50;
/** Before each database ceiling is measured; the daemon's scenarios follow one another warm. */
const WARM_UP_SECONDS = 2;
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Seeded {
  orgId: string;
  userTypeId: string;
  roleId: string;
  token: string;
  memberIds: string[];
  userNames: string[];
  groupIds: string[];
}

async function seed(options: { url?: string; dataDir: string }): Promise<Seeded> {
  const database = await openDatabase(options);
  try {
    await migrateToLatest(database.knex);
    const org = await createOrganization(database.knex, LOCAL_ADMIN, {
      name: 'Bench',
      slug: 'default',
    });
    const scope = { orgId: org.id, actor: LOCAL_ADMIN };
    const { roles, userTypes } = await loadCatalog(database.knex, org.id);
    const userTypeId = userTypes.find((t) => t.name === 'Creator')!.id;
    const roleId = roles.find((r) => r.name === 'User')!.id;
    for (let from = 0; from < MEMBERS; from += 10_000) {
      const batch = Array.from({ length: Math.min(10_000, MEMBERS - from) }, (_, k) => {
        const i = String(from + k).padStart(6, '0');
        return {
          username: `user${i}@bench.example`,
          email: `user${i}@bench.example`,
          firstName: 'Bench',
          lastName: `User${i}`,
          displayName: `Bench User${i}`,
          userTypeId,
          roleId,
          status: 'active' as const,
          source: 'scim',
        };
      });
      await database.knex.transaction((trx) => bulkInsertMembers(trx, org.id, LOCAL_ADMIN, batch));
      process.stderr.write(`[scim] seeded ${from + batch.length}/${MEMBERS} members\r`);
    }
    process.stderr.write('\n');
    const groups = Array.from({ length: GROUPS }, (_, g) => ({
      org_id: org.id,
      name: `Bench group ${g}`,
      source: 'scim',
    }));
    await database.knex.batchInsert('groups', groups, 1000);
    await database.knex.raw('analyze');
    const members = (await database
      .knex('members')
      .where('org_id', org.id)
      .select('id', 'username')) as Array<{ id: string; username: string }>;
    const groupIds = (
      (await database.knex('groups').where('org_id', org.id).select('id')) as Array<{ id: string }>
    ).map((g) => g.id);
    const key = await createApiKey(database.knex, scope, {
      title: 'bench',
      role: 'editor',
      scopes: ['scim'],
      expiresInDays: 365,
    });
    return {
      orgId: org.id,
      userTypeId,
      roleId,
      token: key.secret,
      memberIds: members.map((m) => m.id),
      userNames: members.map((m) => m.username),
      groupIds,
    };
  } finally {
    await database.close();
  }
}

async function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  return child;
}

async function peakRssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** The CPU time (user + system) a process has used, in ms: per request, it barely moves with the machine's load. */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

function run(
  url: string,
  requests: CannonRequest[],
  duration = SECONDS,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, requests }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

/** What the bare node:http server did in this run, beside every figure. */
interface Ceiling {
  reqPerSec: number;
  /** Its own CPU time per request: the machine's load moves it much less than the rates. */
  cpuMsPerRequest: number;
}

const perRequest = (cpuMs: number, result: autocannon.Result) =>
  cpuMs / Math.max(1, result.requests.total);

function line(
  scenario: string,
  db: string,
  result: autocannon.Result,
  rss: number,
  ceiling: Ceiling,
  cpu?: number,
  dbCeiling?: Ceiling,
): Line {
  const reqPerSec = Math.round(result.requests.average);
  const cpuPerRequest = cpu === undefined ? undefined : perRequest(cpu, result);
  return {
    bench: 'scim',
    scenario,
    db,
    connections: CONNECTIONS,
    seconds: SECONDS,
    reqPerSec,
    ceilingReqPerSec: ceiling.reqPerSec,
    percentOfCeiling: Math.round((reqPerSec / ceiling.reqPerSec) * 1000) / 10,
    ...(dbCeiling && {
      dbCeilingReqPerSec: dbCeiling.reqPerSec,
      percentOfDbCeiling: Math.round((reqPerSec / dbCeiling.reqPerSec) * 1000) / 10,
    }),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    peakRssMB: rss,
    ...(cpuPerRequest !== undefined && {
      cpuMsPerRequest: Math.round(cpuPerRequest * 100) / 100,
      ceilingCpuMsPerRequest: Math.round(ceiling.cpuMsPerRequest * 1000) / 1000,
      cpuTimesCeiling: Math.round(cpuPerRequest / ceiling.cpuMsPerRequest),
    }),
  };
}

type Scenario = [name: string, kind: 'read' | 'write', requests: CannonRequest[]];

/** The SCIM requests of each scenario; `kind` says which database ceiling it is set beside. */
function scimScenarios(seeded: Seeded, headers: Record<string, string>): Scenario[] {
  let created = 0;
  return [
    [
      'get-filter-username',
      'read',
      [
        {
          method: 'GET',
          headers,
          setupRequest: (r) => ({
            ...r,
            path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${pick(seeded.userNames)}"`)}`,
          }),
        },
      ],
    ],
    [
      'get-by-id',
      'read',
      [
        {
          method: 'GET',
          headers,
          setupRequest: (r) => ({ ...r, path: `/scim/v2/Users/${pick(seeded.memberIds)}` }),
        },
      ],
    ],
    [
      'post-user',
      'write',
      [
        {
          method: 'POST',
          path: '/scim/v2/Users',
          headers,
          setupRequest: (r) => {
            created += 1;
            const userName = `new${process.pid}.${created}@bench.example`;
            return {
              ...r,
              body: JSON.stringify({
                schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
                userName,
                name: { givenName: 'New', familyName: 'User' },
                emails: [{ value: userName, primary: true }],
              }),
            };
          },
        },
      ],
    ],
    [
      'patch-user-replace',
      'write',
      [
        {
          method: 'PATCH',
          headers,
          setupRequest: (r) => ({
            ...r,
            path: `/scim/v2/Users/${pick(seeded.memberIds)}`,
            body: JSON.stringify({
              schemas: [PATCH],
              Operations: [{ op: 'replace', path: 'title', value: `T${Math.random()}` }],
            }),
          }),
        },
      ],
    ],
    [
      'patch-group-add-member',
      'write',
      [
        {
          method: 'PATCH',
          headers,
          setupRequest: (r) => ({
            ...r,
            path: `/scim/v2/Groups/${pick(seeded.groupIds)}`,
            body: JSON.stringify({
              schemas: [PATCH],
              Operations: [
                { op: 'add', path: 'members', value: [{ value: pick(seeded.memberIds) }] },
              ],
            }),
          }),
        },
      ],
    ],
  ];
}

async function benchDaemon(
  db: DatabaseKind,
  env: NodeJS.ProcessEnv,
  seeded: Seeded,
  ceiling: Ceiling,
  emit: (line: Line) => void,
  dbCeilings?: DbCeilings,
): Promise<void> {
  const port = await freePort();
  const profileDir = process.env.BENCH_CPU_PROFILE;
  const daemon = await startProcess(
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      'bin/provisiond.js',
      'start',
    ],
    { ...env, ...DAEMON_ENV, PORT: String(port), PROVISIOND_LOG_LEVEL: 'info' },
    /provisiond started/,
  );
  const base = `http://127.0.0.1:${port}/scim/v2`;
  const headers = {
    authorization: `Bearer ${seeded.token}`,
    'content-type': 'application/scim+json',
  };
  const scenarios = scimScenarios(seeded, headers);
  try {
    // BENCH_SCENARIOS=get-by-id,post-user runs those alone (a CPU profile of one request kind).
    const only = process.env.BENCH_SCENARIOS?.split(',');
    for (const [name, kind, requests] of scenarios.filter(([n]) => !only || only.includes(n))) {
      process.stderr.write(`[scim/${db}] ${name}\n`);
      const cpuBefore = await cpuMs(daemon.pid!);
      const result = await run(base, requests);
      const cpu = (await cpuMs(daemon.pid!)) - cpuBefore;
      emit(line(name, db, result, await peakRssMB(daemon.pid!), ceiling, cpu, dbCeilings?.[kind]));
    }
    if (!only) await bigGroup(db, base, headers, seeded, daemon.pid!, emit);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
  }
}

/** One group holding every member: filled by SCIM PATCH, then read with and without members. */
async function bigGroup(
  db: string,
  base: string,
  headers: Record<string, string>,
  seeded: Seeded,
  pid: number,
  emit: (line: Line) => void,
): Promise<void> {
  const group = seeded.groupIds[0]!;
  const timed = async (scenario: string, work: () => Promise<Response>, extra: Line = {}) => {
    const started = performance.now();
    const response = await work();
    const bytes = (await response.arrayBuffer()).byteLength;
    if (!response.ok) throw new Error(`${scenario}: HTTP ${response.status}`);
    emit({
      bench: 'scim',
      scenario,
      db,
      members: seeded.memberIds.length,
      ms: Math.round(performance.now() - started),
      responseBytes: bytes,
      peakRssMB: await peakRssMB(pid),
      ...extra,
    });
  };
  const patch = (ids: string[]) =>
    fetch(`${base}/Groups/${group}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({
        schemas: [PATCH],
        Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }],
      }),
    });
  const chunk = 15_000;
  const started = performance.now();
  for (let i = 0; i < seeded.memberIds.length; i += chunk) {
    const response = await patch(seeded.memberIds.slice(i, i + chunk));
    if (!response.ok)
      throw new Error(`big-group-fill: HTTP ${response.status} ${await response.text()}`);
  }
  emit({
    bench: 'scim',
    scenario: 'big-group-fill',
    db,
    members: seeded.memberIds.length,
    requests: Math.ceil(seeded.memberIds.length / chunk),
    ms: Math.round(performance.now() - started),
    peakRssMB: await peakRssMB(pid),
  });
  await timed('big-group-get-with-members', () => fetch(`${base}/Groups/${group}`, { headers }));
  await timed('big-group-get-excluding-members', () =>
    fetch(`${base}/Groups/${group}?excludedAttributes=members`, { headers }),
  );
  await timed('big-group-add-one-member', () => patch([seeded.memberIds[0]!]));
}

async function ceiling(emit: (line: Line) => void): Promise<Ceiling> {
  const port = await freePort();
  const server = await startProcess(
    [
      '-e',
      `
    const body = JSON.stringify({ schemas: ['x'], padding: 'x'.repeat(1000) }).slice(0, 1024);
    require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.end(body); })
      .listen(${port}, '127.0.0.1', () => console.log('listening'));`,
    ],
    {},
    /listening/,
  );
  try {
    const cpuBefore = await cpuMs(server.pid!);
    const result = await run(`http://127.0.0.1:${port}/`, [{ method: 'GET' }]);
    const cpu = (await cpuMs(server.pid!)) - cpuBefore;
    const own = {
      reqPerSec: Math.round(result.requests.average),
      cpuMsPerRequest: perRequest(cpu, result),
    };
    emit(line('node-http-1kb-ceiling', 'none', result, await peakRssMB(server.pid!), own, cpu));
    return own;
  } finally {
    server.kill('SIGTERM');
  }
}

type DbCeilings = Record<Scenario[1], Ceiling>;

/**
 * Node and the database alone (`db-ceiling-server.ts`): GET by id's read and POST's insert, one
 * statement each, driven like the daemon's scenarios of the same name. Run before the daemon
 * starts, since only one process at a time can open PGlite's data directory.
 */
async function dbCeilings(
  db: DatabaseKind,
  options: { url?: string; dataDir: string },
  seeded: Seeded,
  ceiling: Ceiling,
  emit: (line: Line) => void,
): Promise<DbCeilings> {
  const table = 'bench_ceiling_members';
  const ddl = async (sql: string) => {
    // Opened and closed around each change: the server opens PGlite's data directory in between.
    const database = await openDatabase(options);
    try {
      await database.knex.raw(sql);
    } finally {
      await database.close();
    }
  };
  await ddl(`create table ${table} (like members including all)`);
  const port = await freePort();
  let server: ChildProcess | undefined;
  try {
    server = await startProcess(
      ['--import', 'tsx', 'test/bench/db-ceiling-server.ts'],
      {
        ...(db === 'pglite'
          ? { PGLITE_DATA_DIR: path.join(options.dataDir, 'pgdata'), DATABASE_URL: '' }
          : { DATABASE_URL: options.url }),
        PORT: String(port),
        CEILING_TABLE: table,
        ORG_ID: seeded.orgId,
        USER_TYPE_ID: seeded.userTypeId,
        ROLE_ID: seeded.roleId,
      },
      /listening/,
    );
    const scenarios = scimScenarios(seeded, {});
    const measured = {} as DbCeilings;
    for (const [kind, scenario] of [
      ['read', 'get-by-id'],
      ['write', 'post-user'],
    ] as const) {
      process.stderr.write(`[scim/${db}] database ceiling, ${scenario}\n`);
      const requests = scenarios.find(([name]) => name === scenario)![2];
      // Unmeasured: PGlite compiles its WebAssembly while the first requests run.
      await run(`http://127.0.0.1:${port}/scim/v2`, requests, WARM_UP_SECONDS);
      const cpuBefore = await cpuMs(server.pid!);
      const result = await run(`http://127.0.0.1:${port}/scim/v2`, requests);
      const cpu = (await cpuMs(server.pid!)) - cpuBefore;
      if (result.non2xx + result.errors > 0)
        throw new Error(
          `database ceiling, ${scenario}: ${result.non2xx + result.errors} failed requests`,
        );
      emit(line(`node-db-${kind}-ceiling`, db, result, await peakRssMB(server.pid!), ceiling, cpu));
      measured[kind] = {
        reqPerSec: Math.round(result.requests.average),
        cpuMsPerRequest: perRequest(cpu, result),
      };
    }
    return measured;
  } finally {
    if (server) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server!.once('exit', resolve));
    }
    await ddl(`drop table if exists ${table}`);
  }
}

export async function runScimBench(emit: (line: Line) => void): Promise<void> {
  // BENCH_DATABASES=postgres (or pglite) runs one; BENCH_CPU_PROFILE=DIR profiles each daemon there.
  const databases = (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',');
  const top = await ceiling(emit);
  const postgres = databases.includes('postgres')
    ? await createPostgresDatabase(benchPostgresUrl(), 'scim')
    : null;
  if (postgres) {
    try {
      const options = { url: postgres.url, dataDir: '' };
      const seeded = await seed(options);
      const measured = await dbCeilings('postgres', options, seeded, top, emit);
      await benchDaemon('postgres', { DATABASE_URL: postgres.url }, seeded, top, emit, measured);
    } finally {
      await postgres.drop();
    }
  }
  if (!databases.includes('pglite')) return;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'provisiond-scim-bench-'));
  try {
    const seeded = await seed({ dataDir });
    const measured = await dbCeilings('pglite', { dataDir }, seeded, top, emit);
    await benchDaemon(
      'pglite',
      { PROVISIOND_DATA_DIR: dataDir, DATABASE_URL: '' },
      seeded,
      top,
      emit,
      measured,
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
