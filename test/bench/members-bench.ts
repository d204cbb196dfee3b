import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { LOCAL_ADMIN } from '../../src/access/actor.ts';
import { type BulkMember, bulkInsertMembers } from '../../src/members/member-bulk-insert.ts';
import { listMembers, parseMemberListQuery } from '../../src/members/member-listing.ts';
import { createOrganization } from '../../src/orgs/organizations.ts';
import { type DatabaseKind, openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { type Line, benchPostgresUrl, createPostgresDatabase } from './bench-databases.ts';
import { creatorUser, membersTableSeconds } from './members-table-rate.ts';

// The members benchmark: bulk insert of N members, then page listing, substring search and
// filter + sort through listMembers, on PostgreSQL (when reachable) and on PGlite. One JSON line
// per measurement on stdout; progress on stderr.

const N = Number(process.env.BENCH_MEMBERS ?? 100_000);
if (!Number.isInteger(N) || N < 1)
  throw new Error(`BENCH_MEMBERS must be a positive integer (got ${process.env.BENCH_MEMBERS})`);
const CHUNK = 10_000;
const WARMUP = 10;
const QUERIES = 300;
const MAX_PAGE_SIZE = 500;

const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Barbara',
  'Dennis',
  'Edsger',
  'Frances',
  'Guido',
  'Hedy',
  'Ivan',
  'Joan',
  'Ken',
  'Leslie',
  'Margaret',
  'Niklaus',
  'Olga',
  'Peter',
  'Radia',
  'Sophie',
  'Tim',
  'Ursula',
  'Vint',
  'Wendy',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Martinez',
  'Lopez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Hill',
  'Green',
  'Adams',
  'Baker',
  'Nelson',
  'Carter',
  'Mitchell',
  'Perez',
  'Roberts',
  'Turner',
  'Phillips',
  'Campbell',
  'Parker',
  'Evans',
];

/** A small seeded PRNG (mulberry32), so that every run generates the same data and queries. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

interface GeneratedMember {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** Member i (1-based), a pure function of i, so queries can pick substrings of existing rows. */
function memberAt(i: number): GeneratedMember {
  const random = rng(i * 7919);
  const tag = String(i).padStart(6, '0');
  return {
    username: `user${tag}.bench`,
    email: `user${tag}@example.com`,
    firstName: pick(random, FIRST_NAMES),
    lastName: pick(random, LAST_NAMES),
  };
}

function bulkMembers(from: number, to: number, userTypeId: string, roleId: string): BulkMember[] {
  const out: BulkMember[] = [];
  for (let i = from; i <= to; i += 1) {
    const m = memberAt(i);
    out.push({
      ...m,
      displayName: `${m.firstName} ${m.lastName}`,
      userTypeId,
      roleId,
      status: 'active',
      source: 'builtin',
    });
  }
  return out;
}

function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

type Query = Record<string, string>;

function scenarios(n: number): Array<{ name: string; queries: Query[] }> {
  const random = rng(42);
  const pages = Math.max(1, Math.ceil(n / 50));
  const count = WARMUP + QUERIES;
  const times = <T>(make: () => T): T[] => Array.from({ length: count }, make);
  const searchTerm = (): string => {
    const m = memberAt(randomInt(random, 1, n));
    const field = pick(random, [m.username, m.email, m.firstName, m.lastName]);
    const length = Math.min(field.length, randomInt(random, 4, 8));
    const start = randomInt(random, 0, field.length - length);
    return field.slice(start, start + length);
  };
  return [
    {
      name: 'list-page',
      queries: times(() => ({ page: String(randomInt(random, 1, pages)), pageSize: '50' })),
    },
    { name: 'search', queries: times(() => ({ search: searchTerm() })) },
    {
      name: 'filter-sort',
      queries: times(() => ({
        status: 'active',
        sort: pick(random, ['lastName', '-lastName', '-createdAt']),
        page: String(randomInt(random, 1, 20)),
      })),
    },
    {
      // The console's members screen: several filters at once, any offered sort, a page of 50.
      name: 'console-filters',
      queries: times(() => ({
        status: 'active',
        signedIn: 'false',
        userType: 'Creator',
        role: 'User',
        source: 'builtin',
        sort: pick(random, ['lastName', '-lastSignInAt', 'email', '-createdAt', 'firstName']),
        page: String(randomInt(random, 1, 20)),
        pageSize: '50',
      })),
    },
  ];
}

/** Runs every scenario on one opened, migrated database and returns the measurement lines. */
async function benchDatabase(
  knex: Knex,
  db: DatabaseKind,
  n: number,
  emit: (line: Line) => void,
): Promise<void> {
  const org = await createOrganization(knex, LOCAL_ADMIN, {
    name: 'Bench',
    slug: `bench-${randomBytes(3).toString('hex')}`,
  });
  const { userTypeId, roleId } = await creatorUser(knex, org.id);

  const ceilingSeconds = await membersTableSeconds(knex, org.id, n, {
    first: FIRST_NAMES,
    last: LAST_NAMES,
  });
  let seconds = 0;
  let inserted = 0;
  for (let from = 1; from <= n; from += CHUNK) {
    const chunk = bulkMembers(from, Math.min(n, from + CHUNK - 1), userTypeId, roleId);
    const started = performance.now();
    const added = await knex.transaction((trx) =>
      bulkInsertMembers(trx, org.id, LOCAL_ADMIN, chunk),
    );
    seconds += (performance.now() - started) / 1000;
    inserted += added.length;
    process.stderr.write(`[members/${db}] inserted ${inserted}/${n}\r`);
  }
  process.stderr.write('\n');
  if (inserted !== n) throw new Error(`expected ${n} members inserted, got ${inserted}`);
  emit({
    bench: 'members',
    scenario: 'bulk-insert',
    db,
    n,
    seconds: round(seconds, 3),
    perSecond: Math.round(n / seconds),
    ceilingPerSecond: Math.round(n / ceilingSeconds),
    percentOfCeiling: round((ceilingSeconds / seconds) * 100, 1),
    peakRssMB: peakRssMB(),
  });

  await knex.raw('analyze members');

  for (const scenario of scenarios(n)) {
    const timings: number[] = [];
    for (const [index, query] of scenario.queries.entries()) {
      const started = performance.now();
      const page = await listMembers(knex, org.id, parseMemberListQuery(query, MAX_PAGE_SIZE));
      const elapsed = performance.now() - started;
      if (index >= WARMUP) timings.push(elapsed);
      if (page.total === 0 && scenario.name !== 'search')
        throw new Error(`${scenario.name}: no members found for ${JSON.stringify(query)}`);
    }
    timings.sort((a, b) => a - b);
    emit({
      bench: 'members',
      scenario: scenario.name,
      db,
      n,
      queries: timings.length,
      p50Ms: round(percentile(timings, 50), 2),
      p95Ms: round(percentile(timings, 95), 2),
      p99Ms: round(percentile(timings, 99), 2),
      peakRssMB: peakRssMB(),
    });
  }
}

/** The members benchmark on PostgreSQL (DATABASE_URL or the local default) and on PGlite. */
export async function runMembersBench(emit: (line: Line) => void): Promise<void> {
  // BENCH_DATABASES=postgres (or pglite) runs one.
  const databases = (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',');
  const postgres = databases.includes('postgres')
    ? await createPostgresDatabase(benchPostgresUrl(), 'members')
    : null;
  if (postgres) {
    try {
      const database = await openDatabase({ url: postgres.url, dataDir: '' });
      try {
        await migrateToLatest(database.knex);
        await benchDatabase(database.knex, 'postgres', N, emit);
      } finally {
        await database.close();
      }
    } finally {
      await postgres.drop();
    }
  }

  if (!databases.includes('pglite')) return;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'provisiond-bench-'));
  try {
    const database = await openDatabase({ dataDir });
    try {
      await migrateToLatest(database.knex);
      await benchDatabase(database.knex, 'pglite', N, emit);
    } finally {
      await database.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
