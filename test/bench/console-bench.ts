import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import knexFactory from 'knex';
import { LOCAL_ADMIN } from '../../src/access/actor.ts';
import { loadCatalog } from '../../src/catalog/catalog-store.ts';
import { type BulkMember, bulkInsertMembers } from '../../src/members/member-bulk-insert.ts';
import { openChromium } from '../helpers/chromium.ts';
import { runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { benchPostgresUrl, createPostgresDatabase, type Line } from './bench-databases.ts';

// `npm run bench:console`: the console's first screen (JavaScript and CSS, gzipped), and with
// BENCH_MEMBERS (100,000) members on PostgreSQL, a filtered sorted members page of 50 from the
// API (p95 over the session cookie, as the console asks) and the members screen usable after
// navigation in headless Chromium (the first row of the table shown). Prints one JSON line per
// figure; asserts nothing.

const N = Number(process.env.BENCH_MEMBERS ?? 100_000);
const REQUESTS = 200;
const NAVIGATIONS = 15;
const PASSWORD = 'Harbour-5521-xq';
const emit = (line: Line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const progress = (text: string) => process.stderr.write(`[console] ${text}\n`);

function firstScreenBytes(): { files: number; raw: number; gzip: number } {
  const dist = path.resolve('console/dist');
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.(?:js|css))"/g)].map(
    (m) => m[1]!,
  );
  let raw = 0;
  let gzip = 0;
  for (const asset of assets) {
    const body = readFileSync(path.join(dist, asset));
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  return { files: assets.length, raw, gzip };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const LAST = ['Smith', 'Garcia', 'Martin', 'Keller', 'Dubois', 'Schmidt', 'Rossi', 'Nowak'];
const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Hedy', 'Joan', 'Radia', 'Sophie'];

async function seedMembers(url: string): Promise<void> {
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
  try {
    const org = (await knex('organizations').orderBy('created_at').first('id')) as { id: string };
    const { userTypes, roles } = await loadCatalog(knex, org.id);
    const userType = userTypes.find((t) => t.name === 'Creator')!;
    const role = roles.find((r) => r.name === 'User')!;
    for (let from = 0; from < N; from += 10_000) {
      const chunk: BulkMember[] = [];
      for (let i = from; i < Math.min(N, from + 10_000); i++) {
        const firstName = FIRST[i % FIRST.length]!;
        const lastName = `${LAST[(i * 7) % LAST.length]!}${i % 97}`;
        chunk.push({
          username: `member${i}`,
          email: `member${i}@bench.example`,
          firstName,
          lastName,
          displayName: `${firstName} ${lastName}`,
          userTypeId: userType.id,
          roleId: role.id,
          status: i % 10 === 0 ? 'pending' : i % 13 === 0 ? 'disabled' : 'active',
          source: 'builtin',
        });
      }
      await knex.transaction((trx) => bulkInsertMembers(trx, org.id, LOCAL_ADMIN, chunk));
    }
    // As autovacuum would soon after a bulk load: the planner needs statistics of the new rows.
    await knex.raw('analyze members');
  } finally {
    await knex.destroy();
  }
}

async function main(): Promise<void> {
  const bytes = firstScreenBytes();
  emit({
    bench: 'console',
    metric: 'first screen JS+CSS',
    files: bytes.files,
    bytes: bytes.raw,
    gzipBytes: bytes.gzip,
    gzipKB: Math.round(bytes.gzip / 102.4) / 10,
  });

  const pg = await createPostgresDatabase(benchPostgresUrl(), 'console');
  if (!pg) return;
  const env = {
    PROVISIOND_DATA_DIR: path.join(tempDir('provisiond-console-bench-'), 'data'),
    DATABASE_URL: pg.url,
  };
  const daemon = await startDaemonProcess(env);
  try {
    progress(`inserting ${N} members`);
    await seedMembers(pg.url);
    const created = await runCli(
      [
        'members',
        'create',
        '--username',
        'bench.admin',
        '--email',
        'bench.admin@bench.example',
        '--name',
        'Bench Admin',
        '--user-type',
        'Creator',
        '--role',
        'Administrator',
        '--password-stdin',
        '--no-temporary-password',
      ],
      env,
      PASSWORD,
    );
    if (created.code !== 0) throw new Error(created.stderr);
    const login = await fetch(`${daemon.url}/auth/builtin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: daemon.url },
      body: JSON.stringify({ username: 'bench.admin', password: PASSWORD }),
    });
    const session = /pvd_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    if (!session) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);

    const query = 'status=active&search=garcia&sort=-lastName&pageSize=50';
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      const response = await fetch(`${daemon.url}/api/v1/members?${query}&page=${1 + (i % 20)}`, {
        headers: { cookie: `pvd_session=${session}` },
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`members page: ${response.status}`);
      times.push(performance.now() - started);
    }
    emit({
      bench: 'console',
      metric: 'members page of 50 from the API (filtered, searched, sorted)',
      members: N,
      requests: REQUESTS,
      p50Ms: Math.round(percentile(times, 50) * 10) / 10,
      p95Ms: Math.round(percentile(times, 95) * 10) / 10,
    });

    const browser = await openChromium();
    try {
      const host = new URL(daemon.url).hostname;
      await browser.context.addCookies([
        { name: 'pvd_session', value: session, domain: host, path: '/' },
      ]);
      const usable: number[] = [];
      for (let i = 0; i < NAVIGATIONS; i++) {
        const started = performance.now();
        await browser.page.goto(`${daemon.url}/console/members?${query}&page=${1 + i}`);
        await browser.page
          .locator('tbody tr')
          .first()
          .waitFor({ timeout: 120_000 })
          .catch((error: Error) => {
            throw new Error(`no members row at ${browser.page.url()}: ${error.message}`);
          });
        usable.push(performance.now() - started);
        await browser.page.goto('about:blank');
      }
      emit({
        bench: 'console',
        metric: 'members screen usable after navigation (headless Chromium)',
        members: N,
        navigations: NAVIGATIONS,
        p50Ms: Math.round(percentile(usable, 50)),
        p95Ms: Math.round(percentile(usable, 95)),
      });
    } finally {
      await browser.close();
    }
  } finally {
    await daemon.stop();
    await pg.drop();
  }
}

await main();
