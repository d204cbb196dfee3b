import test from 'ava';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { api, runCli, startDaemonProcess } from '../helpers/daemon.ts';

// Two daemons and the CLI on one PostgreSQL: a key deleted by the CLI is refused by both daemons
// at once, although each had just verified it (and would otherwise remember it for seconds).

if (databaseKinds().includes('postgres')) {
  test('a key deleted by the CLI is refused by every daemon at once', async (t) => {
    const pg = await createPostgresDatabase();
    const env = { DATABASE_URL: pg.url };
    const first = await startDaemonProcess(env);
    const second = await startDaemonProcess(env);
    try {
      const key = JSON.parse(
        (
          await runCli(
            [
              'keys',
              'create',
              '--title',
              'doomed',
              '--role',
              'viewer',
              '--expires-in-days',
              '30',
              '--json',
            ],
            env,
          )
        ).stdout,
      ) as { id: string; secret: string };
      for (const daemon of [first, second])
        t.is((await api(daemon.url, 'GET', '/api/v1/members', key.secret)).status, 200);
      const deleted = await runCli(['keys', 'delete', key.id], env);
      t.is(deleted.code, 0, deleted.stderr);
      const started = Date.now();
      const statuses = await Promise.all(
        [first, second].map(
          async (daemon) => (await api(daemon.url, 'GET', '/api/v1/members', key.secret)).status,
        ),
      );
      t.deepEqual(statuses, [401, 401]);
      t.true(Date.now() - started < 5_000, 'refused without waiting out the remembered keys');
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      await pg.drop();
    }
  });
} else {
  test('key revocation across daemons needs DATABASE_URL (CI sets it)', (t) => {
    t.is(process.env.DATABASE_URL, undefined);
  });
}
