import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import test from 'ava';
import knexFactory from 'knex';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { api, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { freePort } from '../helpers/free-port.ts';

// Start-up errors name the setting to fix in one line, exit 1 and create nothing; the CLI says
// which database it opened and never creates or migrates one; only `migrate` changes the schema.

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as { port: number }).port });
    });
  });
}

/** One line (the message), no stack trace. */
function oneLine(t: { is: (a: unknown, b: unknown, m?: string) => void }, stderr: string): void {
  t.is(stderr.trim().split('\n').length, 1, stderr);
  t.is(/\n\s+at /.test(stderr), false, stderr);
}

test('a port in use stops the start before the embedded database is created', async (t) => {
  const { server, port } = await occupy();
  try {
    const dataDir = path.join(tempDir(), 'data');
    const result = await runCli(['start'], { PROVISIOND_DATA_DIR: dataDir, PORT: String(port) });
    t.is(result.code, 1);
    t.regex(result.stderr, new RegExp(`port 127\\.0\\.0\\.1:${port} is already in use.*PORT`));
    oneLine(t, result.stderr);
    t.false(existsSync(dataDir), 'nothing was created');
  } finally {
    server.close();
  }
});

test('an unreachable PostgreSQL names DATABASE_URL', async (t) => {
  const { server, port } = await occupy();
  server.close();
  const result = await runCli(['start'], {
    DATABASE_URL: `postgres://someone:hunter2@127.0.0.1:${port}/nowhere`,
  });
  t.is(result.code, 1);
  t.regex(result.stderr, /DATABASE_URL.*connection was refused/);
  t.notRegex(result.stderr, /hunter2/);
  oneLine(t, result.stderr);
});

test('while the database opens, every request gets 503 starting at once instead of hanging', async (t) => {
  // A PostgreSQL that accepts connections and never answers holds the start in openContext
  // for as long as the test wants.
  const held = new Set<Socket>();
  const silent = createServer((socket) => held.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  const run = runCli(['start'], {
    DATABASE_URL: `postgres://someone@127.0.0.1:${(silent.address() as { port: number }).port}/held`,
    PGCONNECT_TIMEOUT: '120',
    PORT: String(port),
  });
  try {
    // The daemon listens first, then loads the rest of itself while the database opens: the
    // requests below are sent once it is connecting to the database.
    const deadline = Date.now() + 100_000;
    while (held.size === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    t.true(held.size > 0, 'the daemon never connected to the database');
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
      signal: AbortSignal.timeout(5_000),
    }).catch((error: unknown) => {
      throw error instanceof DOMException ? new Error('a request during the start hung') : error;
    });
    t.is(response.status, 503);
    t.is(response.headers.get('retry-after'), '1');
    t.deepEqual(await response.json(), { status: 'starting' });
    const api = await fetch(`http://127.0.0.1:${port}/api/v1/members`, {
      signal: AbortSignal.timeout(5_000),
    });
    t.is(api.status, 503);
  } finally {
    for (const socket of held) socket.destroy();
    silent.close();
  }
  t.is((await run).code, 1, 'a database that hangs up stops the start');
});

test('from its first answer until it is ready, no request waits: each gets 503 starting or the app', async (t) => {
  const port = await freePort();
  const starting = startDaemonProcess({
    PROVISIOND_DATA_DIR: path.join(tempDir(), 'data'),
    PORT: String(port),
  });
  // As tight as requests go: the switch from the "starting" answer to the app leaves no gap.
  let answered = 0;
  let ready = false;
  try {
    const deadline = Date.now() + 120_000;
    while (!ready && Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        t.true([200, 503].includes(response.status), String(response.status));
        answered += 1;
        ready = response.status === 200;
      } catch (error) {
        if (error instanceof DOMException) throw new Error('a request during the start hung');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  } finally {
    await (await starting).stop();
  }
  t.true(ready, 'the daemon never became ready');
  t.log(`${answered} requests answered during the start`);
});

test('a data directory that cannot be created names the setting and creates nothing', async (t) => {
  const file = path.join(tempDir(), 'a-file');
  writeFileSync(file, 'not a folder');
  const result = await runCli(['start'], { PROVISIOND_DATA_DIR: path.join(file, 'data') });
  t.is(result.code, 1);
  t.regex(
    result.stderr,
    /data directory .* \(database\.dataDir, PROVISIOND_DATA_DIR\) is not writable/,
  );
  oneLine(t, result.stderr);
});

test('the CLI from another folder finds no database: it names the folder and creates none', async (t) => {
  const home = tempDir();
  const elsewhere = tempDir();
  const result = await runCli(
    ['members', 'list'],
    { HOME: home, XDG_DATA_HOME: undefined, STATE_DIRECTORY: undefined },
    undefined,
    elsewhere,
  );
  t.is(result.code, 1);
  const expected = path.join(home, '.local', 'share', 'provisiond');
  t.true(result.stderr.includes(`there is no database in ${expected}`), result.stderr);
  t.false(existsSync(expected));
  t.deepEqual(readdirSync(elsewhere), []);
});

test.serial(
  'the default data directory is absolute: the daemon and the CLI agree from any folder',
  async (t) => {
    const home = tempDir();
    const env = { HOME: home, XDG_DATA_HOME: undefined, STATE_DIRECTORY: undefined };
    const daemon = await startDaemonProcess(env);
    try {
      const created = await runCli(
        [
          'keys',
          'create',
          '--title',
          'x',
          '--role',
          'viewer',
          '--expires-in-days',
          '365',
          '--json',
        ],
        env,
        undefined,
        tempDir(),
      );
      t.is(created.code, 0, created.stderr);
      t.true(existsSync(path.join(home, '.local', 'share', 'provisiond', 'provisiond.sock')));
    } finally {
      t.is(await daemon.stop(), 0);
    }
    // With the daemon stopped, the CLI opens the database itself and says which.
    const listed = await runCli(['keys', 'list', '--json'], env, undefined, tempDir());
    t.is(listed.code, 0, listed.stderr);
    t.regex(listed.stderr, /opened the embedded database in .*\.local\/share\/provisiond/);
    t.is(JSON.parse(listed.stdout).items.length, 1);
  },
);

if (databaseKinds().includes('postgres')) {
  test('a missing PostgreSQL database or role is named, with what to do', async (t) => {
    const base = new URL(process.env.DATABASE_URL!);
    const noDb = new URL(base);
    noDb.pathname = '/provisiond_no_such_database';
    const missingDb = await runCli(['start'], { DATABASE_URL: noDb.toString() });
    t.is(missingDb.code, 1);
    t.regex(missingDb.stderr, /"provisiond_no_such_database".*DATABASE_URL.*does not exist/);
    oneLine(t, missingDb.stderr);
    const noRole = new URL(base);
    noRole.username = 'provisiond_no_such_role';
    const missingRole = await runCli(['members', 'list'], { DATABASE_URL: noRole.toString() });
    t.is(missingRole.code, 1);
    t.regex(missingRole.stderr, /DATABASE_URL.*role does not exist/);
    oneLine(t, missingRole.stderr);
  });

  test('on PostgreSQL only `migrate` changes the schema: status, dry run, then the daemon', async (t) => {
    const pg = await createPostgresDatabase();
    const env = { DATABASE_URL: pg.url, PROVISIOND_MIGRATE: undefined };
    const knex = knexFactory({ client: 'pg', connection: pg.url, pool: { min: 0, max: 1 } });
    try {
      const refused = await runCli(['start'], env);
      t.is(refused.code, 1);
      t.regex(refused.stderr, /schema is behind .* run `provisiond migrate` first/);
      const cli = await runCli(['members', 'list'], env);
      t.is(cli.code, 1);
      t.regex(cli.stderr, /run `provisiond migrate`/);
      t.false(await knex.schema.hasTable('members'), 'neither the daemon nor the CLI migrated');

      const status = await runCli(['migrate', 'status', '--json'], env);
      t.is(status.code, 0, status.stderr);
      const before = JSON.parse(status.stdout);
      t.deepEqual(before.applied, []);
      t.true(before.pending.includes('20261121_001_core'));
      t.false(before.usable);

      const dry = await runCli(['migrate', '--dry-run'], env);
      t.is(dry.code, 0, dry.stderr);
      t.regex(dry.stdout, /-- 20261121_001_core\n/);
      t.regex(dry.stdout, /create table "members"/);
      t.false(await knex.schema.hasTable('members'), 'the dry run changed nothing');

      const applied = await runCli(['migrate', '--json'], env);
      t.is(applied.code, 0, applied.stderr);
      t.deepEqual(JSON.parse(applied.stdout).applied, before.pending);
      const daemon = await startDaemonProcess(env);
      try {
        t.is((await api(daemon.url, 'GET', '/readyz')).status, 200);
      } finally {
        t.is(await daemon.stop(), 0);
      }
    } finally {
      await knex.destroy();
      await pg.drop();
    }
  });
} else {
  test('PostgreSQL start-up errors need DATABASE_URL (CI sets it)', (t) => {
    t.is(process.env.DATABASE_URL, undefined);
  });
}

test.serial(
  'an embedded database is migrated by the daemon at start, never by other commands',
  async (t) => {
    const dataDir = path.join(tempDir(), 'data');
    mkdirSync(dataDir);
    const status = await runCli(['migrate', 'status'], { PROVISIOND_DATA_DIR: dataDir });
    t.is(status.code, 1);
    t.regex(status.stderr, /there is no database in/);
    const daemon = await startDaemonProcess({ PROVISIOND_DATA_DIR: dataDir });
    t.regex(daemon.output(), /"migrationsApplied":\d+/);
    t.is(await daemon.stop(), 0);
    const after = await runCli(['migrate', 'status', '--json'], { PROVISIOND_DATA_DIR: dataDir });
    t.is(after.code, 0, after.stderr);
    t.deepEqual(JSON.parse(after.stdout).pending, []);
  },
);
