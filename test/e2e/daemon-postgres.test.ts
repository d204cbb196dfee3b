import test from 'ava';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { api, runCli, startDaemonProcess } from '../helpers/daemon.ts';

// The daemon on PostgreSQL: the CLI connects to the database itself while the daemon runs.

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
} else {
  test('PostgreSQL end to end needs DATABASE_URL (CI sets it)', (t) => {
    t.is(process.env.DATABASE_URL, undefined);
  });
}
