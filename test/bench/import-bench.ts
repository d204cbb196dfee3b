import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LOCAL_ADMIN, type Scope } from '../../src/access/actor.ts';
import { type ImportDeps, uploadImport } from '../../src/import/import-service.ts';
import { startApply } from '../../src/import/import-apply-run.ts';
import { createOrganization } from '../../src/orgs/organizations.ts';
import { type Database, openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { argon2Hasher } from '../../plugins/builtin/index.ts';
import { type Line, benchPostgresUrl, createPostgresDatabase } from './bench-databases.ts';
import { linkSealer } from '../../src/invitations/link-sealer.ts';
import { membersTableSeconds } from './members-table-rate.ts';

// The import benchmark: a generated CSV of N rows (enterprise members: no password to hash) is
// uploaded and validated, then applied, on PostgreSQL (when reachable) and PGlite. A second,
// smaller file of built-in accounts shows the cost of hashing their passwords (argon2id).
// `peakRssMB` is the highest RSS sampled every 20 ms during that measurement, `startRssMB` the RSS
// when it began (the process with its modules and, for PGlite, the embedded database).

const N = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const BUILTIN = Number(process.env.BENCH_IMPORT_BUILTIN ?? 1000);
if (!Number.isInteger(N) || N < 1 || !Number.isInteger(BUILTIN) || BUILTIN < 0)
  throw new Error('BENCH_IMPORT_ROWS and BENCH_IMPORT_BUILTIN must be whole numbers');

const FIRST = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Barbara',
  'Dennis',
  'Edsger',
  'Frances',
  'Hedy',
  'Joan',
];
const LAST = [
  'Smith',
  'Johnson',
  'Garcia',
  'Miller',
  'Lopez',
  'Wilson',
  'Moore',
  'Clark',
  'Young',
  'King',
];
const ROLES = ['User', 'Publisher', 'Viewer', 'Data Editor'];

async function writeFile(
  file: string,
  header: string,
  n: number,
  row: (i: number) => string,
): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  for (let i = 0; i < n; i++) {
    if (!out.write(`${row(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function measure<T>(
  work: () => Promise<T>,
): Promise<{ value: T; seconds: number; peakRssMB: number; startRssMB: number }> {
  let peak = process.memoryUsage.rss();
  const startRssMB = Math.round(peak / 2 ** 20);
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const start = performance.now();
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return {
      value,
      seconds: (performance.now() - start) / 1000,
      peakRssMB: Math.round(peak / 2 ** 20),
      startRssMB,
    };
  } finally {
    clearInterval(timer);
  }
}

async function runOn(
  db: string,
  database: Database,
  files: { enterprise: string; builtin: string },
  emit: (line: Line) => void,
): Promise<void> {
  await migrateToLatest(database.knex);
  const org = await createOrganization(database.knex, LOCAL_ADMIN, {
    name: 'Import bench',
    slug: `import-bench-${randomBytes(3).toString('hex')}`,
  });
  const scope: Scope = { orgId: org.id, actor: LOCAL_ADMIN };
  const deps: ImportDeps = {
    db: database.knex,
    hasher: argon2Hasher,
    publicUrl: 'http://127.0.0.1:8080',
    links: linkSealer(randomBytes(32)),
    writers: database.writers,
    sources: () => [],
  };
  // The floor under the enterprise apply, in the same run: the members table's own rate for its rows.
  const tableSeconds = await membersTableSeconds(database.knex, org.id, N, {
    first: FIRST,
    last: LAST,
  });
  const table = (seconds: number): Line => ({
    membersTableSeconds: round(tableSeconds),
    timesMembersTable: round(seconds / tableSeconds),
  });
  const scenarios = [
    {
      name: 'enterprise',
      file: files.enterprise,
      rows: N,
      options: { mode: 'portal-enterprise' as const },
    },
    ...(BUILTIN > 0
      ? [
          {
            name: 'builtin-passwords',
            file: files.builtin,
            rows: BUILTIN,
            options: { mode: 'portal-builtin' as const },
          },
        ]
      : []),
  ];
  for (const s of scenarios) {
    const validated = await measure(() =>
      uploadImport(deps, scope, s.options, createReadStream(s.file)),
    );
    const report = validated.value.report;
    if (report.valid !== s.rows)
      throw new Error(
        `${s.name}: ${report.valid} of ${s.rows} rows valid: ${JSON.stringify(report.issues.slice(0, 3))}`,
      );
    emit({
      bench: 'import',
      scenario: `${s.name}-validate`,
      db,
      rows: s.rows,
      seconds: round(validated.seconds),
      rowsPerSecond: Math.round(s.rows / validated.seconds),
      peakRssMB: validated.peakRssMB,
      startRssMB: validated.startRssMB,
    });
    const applied = await measure(
      async () => (await startApply(deps, scope, validated.value.id, {})).done,
    );
    if (applied.value.created !== s.rows)
      throw new Error(`${s.name}: ${applied.value.created} of ${s.rows} created`);
    emit({
      bench: 'import',
      scenario: `${s.name}-apply`,
      db,
      rows: s.rows,
      seconds: round(applied.seconds),
      rowsPerSecond: Math.round(s.rows / applied.seconds),
      ...(s.name === 'enterprise' && table(applied.seconds)),
      peakRssMB: applied.peakRssMB,
      startRssMB: applied.startRssMB,
    });
    if (s.name === 'enterprise') {
      emit({
        bench: 'import',
        scenario: 'enterprise-validate+apply',
        db,
        rows: s.rows,
        seconds: round(validated.seconds + applied.seconds),
        ...table(validated.seconds + applied.seconds),
        peakRssMB: Math.max(validated.peakRssMB, applied.peakRssMB),
      });
    }
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export async function runImportBench(emit: (line: Line) => void): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'provisiond-import-bench-'));
  try {
    const files = {
      enterprise: path.join(dir, 'enterprise.csv'),
      builtin: path.join(dir, 'builtin.csv'),
    };
    await writeFile(
      files.enterprise,
      'First Name,Last Name,Email,Username,Role,User Type',
      N,
      (i) =>
        `${FIRST[i % 10]},${LAST[Math.floor(i / 10) % 10]},user${i}@example.org,CORP\\user${i},${ROLES[i % 4]},Creator`,
    );
    await writeFile(
      files.builtin,
      'First Name,Last Name,Email,Username,Password,Role,User Type',
      BUILTIN,
      (i) =>
        `${FIRST[i % 10]},${LAST[Math.floor(i / 10) % 10]},local${i}@example.org,local.user${i},Kx81-vbq4-${i},User,Creator`,
    );
    // BENCH_DATABASES=postgres (or pglite) runs one.
    const databases = (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',');
    const postgres = databases.includes('postgres')
      ? await createPostgresDatabase(benchPostgresUrl(), 'import')
      : null;
    if (postgres) {
      try {
        const database = await openDatabase({ url: postgres.url, dataDir: '' });
        try {
          await runOn('postgres', database, files, emit);
        } finally {
          await database.close();
        }
      } finally {
        await postgres.drop();
      }
    }
    if (!databases.includes('pglite')) return;
    const dataDir = path.join(dir, 'pglite');
    const database = await openDatabase({ dataDir });
    try {
      await runOn('pglite', database, files, emit);
    } finally {
      await database.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
