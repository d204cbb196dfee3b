import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { api, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// The daemon on PostgreSQL: the CLI talks to the daemon of its database through the daemon's
// local socket, and connects to the database itself when no daemon of that database answers.

/** What the CLI says on stderr when it opened the database itself instead of asking a daemon. */
const OPENED_ITSELF = /opened PostgreSQL database/;

if (databaseKinds().includes('postgres')) {
  test('daemon and CLI share one PostgreSQL; data survives a restart', async (t) => {
    const pg = await createPostgresDatabase();
    const env = { DATABASE_URL: pg.url };
    let daemon = await startDaemonProcess(env);
    try {
      t.like((await api(daemon.url, 'GET', '/readyz')).body, {
        status: 'ready',
        database: 'postgres',
      });
      const key = JSON.parse(
        (
          await runCli(
            [
              'keys',
              'create',
              '--title',
              'pg',
              '--role',
              'editor',
              '--expires-in-days',
              '365',
              '--json',
            ],
            env,
          )
        ).stdout,
      );
      const created = await api(daemon.url, 'POST', '/api/v1/members', key.secret, {
        username: 'pg.member',
        email: 'pg@example.org',
        firstName: 'Pat',
        lastName: 'Gres',
        userType: 'Creator',
        role: 'User',
        password: 'Glacier-5520-k',
      });
      t.is(created.status, 201, JSON.stringify(created.body));
      const viaCli = await runCli(
        [
          'members',
          'create',
          '--username',
          'pg.cli.member',
          '--email',
          'c@example.org',
          '--name',
          'Cee Ell',
          '--json',
        ],
        env,
      );
      t.is(viaCli.code, 0, viaCli.stderr);
      t.is((await runCli(['migrate'], env)).code, 0);
      t.is(await daemon.stop(), 0);
      daemon = await startDaemonProcess(env);
      const listed = await api(daemon.url, 'GET', '/api/v1/members?search=pg', key.secret);
      t.deepEqual(listed.body.items.map((m: { username: string }) => m.username).sort(), [
        'pg.cli.member',
        'pg.member',
      ]);
    } finally {
      await daemon.stop();
      await pg.drop();
    }
  });

  test('the CLI asks the daemon of its database, never one of another, and opens the database itself when none answers', async (t) => {
    const [pg, other] = await Promise.all([createPostgresDatabase(), createPostgresDatabase()]);
    const dataDir = tempDir('provisiond-pg-socket-');
    const env = { DATABASE_URL: pg.url, PROVISIOND_DATA_DIR: dataDir };
    const otherEnv = { DATABASE_URL: other.url, PROVISIOND_DATA_DIR: dataDir };
    t.is((await runCli(['migrate'], otherEnv)).code, 0);
    const daemon = await startDaemonProcess(env);
    let second: Awaited<ReturnType<typeof startDaemonProcess>> | null = null;
    try {
      const sockets = readdirSync(dataDir).filter((f) => f.endsWith('.sock'));
      t.is(sockets.length, 1, 'one socket, named for the database');
      t.is(statSync(path.join(dataDir, sockets[0]!)).mode & 0o777, 0o600);

      const made = await runCli(
        [
          'members',
          'create',
          '--username',
          'via.daemon',
          '--email',
          'v@example.org',
          '--name',
          'Via Daemon',
          '--json',
        ],
        env,
      );
      t.is(made.code, 0, made.stderr);
      t.notRegex(made.stderr, OPENED_ITSELF, 'answered by the daemon');
      // The same data directory, another database: never this daemon's answer.
      const elsewhere = await runCli(['members', 'list', '--json'], otherEnv);
      t.is(elsewhere.code, 0, elsewhere.stderr);
      t.regex(elsewhere.stderr, OPENED_ITSELF);
      t.false(elsewhere.stdout.includes('via.daemon'));

      // A second daemon of the same database and data directory leaves the socket to the first.
      second = await startDaemonProcess(env);
      t.deepEqual(
        readdirSync(dataDir).filter((f) => f.endsWith('.sock')),
        sockets,
      );
      const listed = await runCli(['members', 'list', '--json'], env);
      t.notRegex(listed.stderr, OPENED_ITSELF);
      t.true(listed.stdout.includes('via.daemon'));
    } finally {
      await second?.stop();
      await daemon.stop();
    }
    // No daemon: the CLI opens the database itself, and finds what the daemon wrote.
    const alone = await runCli(['members', 'list', '--json'], env);
    t.is(alone.code, 0, alone.stderr);
    t.regex(alone.stderr, OPENED_ITSELF);
    t.true(alone.stdout.includes('via.daemon'));
    await Promise.all([pg.drop(), other.drop()]);
  });
} else {
  test('PostgreSQL end to end needs DATABASE_URL (CI sets it)', (t) => {
    t.is(process.env.DATABASE_URL, undefined);
  });
}
