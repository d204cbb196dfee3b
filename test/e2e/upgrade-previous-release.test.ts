import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { api, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// A rolling upgrade: the schema is migrated by this release while a daemon of the previous one
// keeps serving on it, next to a daemon of this one. "The previous release" is the tree just
// before the newest migration was added (from git history; CI clones it in full): the code that
// must survive that migration. Expand-then-contract is what makes this hold.

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();

function previousRelease(): { commit: string; main: string } {
  const newest = readdirSync('migrations')
    .filter((f) => /\.(ts|js)$/.test(f))
    .sort()
    .at(-1)!;
  const added = git('log', '--diff-filter=A', '--format=%H', '-1', '--', `migrations/${newest}`);
  // Not committed yet (a working copy): the previous release is what is committed.
  const commit = added ? git('rev-parse', `${added}^`) : git('rev-parse', 'HEAD');
  const dir = tempDir('provisiond-previous-');
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`]);
  // The previous release runs with its own dependencies: a package this one dropped or changed
  // must still be there for it. Same lock file: this checkout's node_modules serve both.
  const lock = 'package-lock.json';
  if (readFileSync(path.join(dir, lock), 'utf8') === readFileSync(lock, 'utf8'))
    symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
  else
    execFileSync('npm', ['ci', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: 'ignore',
    });
  return { commit, main: path.join(dir, 'src/cli/main.ts') };
}

if (databaseKinds().includes('postgres')) {
  test('the previous release serves on the migrated schema beside this one', async (t) => {
    const previous = previousRelease();
    t.log(`previous release: ${previous.commit}`);
    const pg = await createPostgresDatabase();
    const env = { DATABASE_URL: pg.url, PROVISIOND_MIGRATE: undefined };
    try {
      const migrated = await runCli(['migrate'], env);
      t.is(migrated.code, 0, migrated.stderr);
      // Even told to migrate, the older daemon accepts a schema expanded by a newer release.
      const old = await startDaemonProcess(
        { ...env, PROVISIOND_MIGRATE: 'auto' },
        [],
        previous.main,
      );
      const current = await startDaemonProcess(env);
      try {
        const key = JSON.parse(
          (
            await runCli(
              [
                'keys',
                'create',
                '--title',
                'upgrade',
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
        const created = await api(old.url, 'POST', '/api/v1/members', key.secret, {
          username: 'written.by.old',
          email: 'old@example.org',
          firstName: 'Old',
          lastName: 'Release',
          userType: 'Creator',
          role: 'User',
          password: 'Glacier-5520-k',
        });
        t.is(created.status, 201, JSON.stringify(created.body));
        for (const daemon of [old, current]) {
          const listed = await api(daemon.url, 'GET', '/api/v1/members?search=written', key.secret);
          t.deepEqual(
            listed.body.items.map((m: { username: string }) => m.username),
            ['written.by.old'],
          );
        }
        t.is((await api(old.url, 'GET', '/readyz')).status, 200);
      } finally {
        t.is(await old.stop(), 0);
        t.is(await current.stop(), 0);
      }
    } finally {
      await pg.drop();
    }
  });
} else {
  test('the rolling-upgrade test needs DATABASE_URL (CI sets it)', (t) => {
    t.is(process.env.DATABASE_URL, undefined);
  });
}
