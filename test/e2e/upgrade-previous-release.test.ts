import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import {
  api,
  builtEntry,
  type DaemonProcess,
  type ProcessEnv,
  runCli,
  sourceEntry,
  startDaemonProcess,
  tempDir,
} from '../helpers/daemon.ts';
import { newUser, scim } from '../helpers/scim.ts';
import { buildPreviousRelease } from '../helpers/previous-release.ts';

// A rolling upgrade on one PostgreSQL: this release migrates the schema while the previous
// release (pinned in release/previous, built as it shipped) keeps serving on it, beside a daemon
// of this release. Then the rule itself: a newer release's expansion leaves the previous daemon
// working, its contraction makes it refuse to start, naming the migration. The newer release is
// a copy of this tree with one throwaway migration more.

const member = (username: string) => ({
  username,
  email: `${username}@example.org`,
  firstName: 'Rolling',
  lastName: 'Upgrade',
  userType: 'Creator',
  role: 'User',
  password: 'Glacier-5520-k',
});

/** This tree's sources with extra migrations: a release newer than this one. */
function newerRelease(migrations: Record<string, string>): string {
  const dir = tempDir('provisiond-newer-');
  for (const part of ['src', 'plugins', 'migrations', 'package.json', 'tsconfig.json'])
    cpSync(part, path.join(dir, part), { recursive: true });
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
  mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  for (const [name, body] of Object.entries(migrations))
    writeFileSync(path.join(dir, 'migrations', `${name}.ts`), body);
  return dir;
}

const EXPAND = '20991231_901_expand_upgrade_probe';
const CONTRACT = '20991231_902_contract_upgrade_probe';
const expansion = `import type { Knex } from 'knex';
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => t.text('upgrade_probe').nullable());
}
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => t.dropColumn('upgrade_probe'));
}
`;
const contraction = `import type { Knex } from 'knex';
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => t.dropColumn('upgrade_probe'));
}
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => t.text('upgrade_probe').nullable());
}
`;

if (databaseKinds().includes('postgres')) {
  test('the previous release serves beside this one on the schema this one migrated', async (t) => {
    // The first run builds the previous release (and installs its dependencies if they differ).
    t.timeout(15 * 60_000);
    const previous = await buildPreviousRelease();
    t.log(`previous release: ${previous.commit}`);
    const pg = await createPostgresDatabase();
    const dir = tempDir('provisiond-upgrade-');
    const config = path.join(dir, 'provisiond.yaml');
    writeFileSync(config, 'invitations:\n  linkKey: { env: UPGRADE_LINK_KEY }\n');
    const linkKey = randomBytes(32).toString('base64');
    const env = (name: string): ProcessEnv => ({
      DATABASE_URL: pg.url,
      PROVISIOND_CONFIG: config,
      PROVISIOND_DATA_DIR: path.join(dir, name),
      UPGRADE_LINK_KEY: linkKey,
      PROVISIOND_MIGRATE: undefined,
    });
    const daemons: DaemonProcess[] = [];
    try {
      const migrated = await runCli(['migrate'], env('cli'));
      t.is(migrated.code, 0, migrated.stderr);
      // Even told to migrate, the older daemon takes the schema as this release left it.
      const old = await startDaemonProcess(
        { ...env('old'), PROVISIOND_MIGRATE: 'auto' },
        [],
        builtEntry(previous.dir),
      );
      daemons.push(old);
      const current = await startDaemonProcess(env('current'));
      daemons.push(current);
      const key = async (scope: string[]) => {
        const made = await runCli(
          [
            ...['keys', 'create', '--title', `upgrade ${scope.join(' ')}`, '--role', 'editor'],
            ...scope,
            ...['--expires-in-days', '1', '--json'],
          ],
          env('cli'),
        );
        t.is(made.code, 0, made.stderr);
        return JSON.parse(made.stdout).secret as string;
      };
      const apiKey = await key([]);
      const scimKey = await key(['--scope', 'scim']);

      for (const [name, daemon] of [
        ['old', old],
        ['current', current],
      ] as const) {
        const created = await api(
          daemon.url,
          'POST',
          '/api/v1/members',
          apiKey,
          member(`by.${name}`),
        );
        t.is(created.status, 201, `${name}: ${JSON.stringify(created.body)}`);
        const scimUser = newUser(`scim.by.${name}@example.com`);
        const posted = await scim(
          {
            kind: 'postgres',
            url: `${daemon.url}/scim/v2`,
            env: {},
            editor: scimKey,
            viewer: '',
            otherOrgEditor: '',
          },
          'POST',
          '/Users',
          scimUser,
        );
        t.is(posted.status, 201, `${name} SCIM: ${JSON.stringify(posted.body)}`);
      }
      // Each reads what the other wrote, through the API and through SCIM.
      for (const [name, daemon] of [
        ['old', old],
        ['current', current],
      ] as const) {
        const listed = await api(daemon.url, 'GET', '/api/v1/members?search=by.', apiKey);
        t.is(listed.status, 200);
        t.deepEqual(
          listed.body.items.map((m: { username: string }) => m.username).sort(),
          ['by.current', 'by.old', 'scim.by.current@example.com', 'scim.by.old@example.com'],
          name,
        );
        const filtered = await fetch(
          `${daemon.url}/scim/v2/Users?filter=${encodeURIComponent('userName sw "scim.by."')}`,
          { headers: { authorization: `Bearer ${scimKey}` } },
        );
        t.is(filtered.status, 200);
        t.is(((await filtered.json()) as { totalResults: number }).totalResults, 2, name);
        t.is((await api(daemon.url, 'GET', '/healthz')).status, 200, name);
        t.like((await api(daemon.url, 'GET', '/readyz')).body, { linkKey: 'agreed' }, name);
      }
      t.is(await old.stop(), 0);
      daemons.shift();

      // A newer release expands the schema: the previous one still starts and serves.
      const expanding = newerRelease({ [EXPAND]: expansion });
      const expanded = await runCli(
        ['migrate'],
        env('cli'),
        undefined,
        undefined,
        sourceEntry(expanding),
      );
      t.is(expanded.code, 0, expanded.stderr);
      const again = await startDaemonProcess(env('old'), [], builtEntry(previous.dir));
      daemons.unshift(again);
      const read = await api(again.url, 'GET', '/api/v1/members?search=by.old', apiKey);
      t.deepEqual(read.body.items.map((m: { username: string }) => m.username).sort(), [
        'by.old',
        'scim.by.old@example.com',
      ]);
      t.is(
        (await api(again.url, 'POST', '/api/v1/members', apiKey, member('after.expand'))).status,
        201,
      );
      t.is(await again.stop(), 0);
      daemons.shift();

      // The release after contracts what it expanded: now the previous one is too old, and says so.
      const contracting = newerRelease({ [EXPAND]: expansion, [CONTRACT]: contraction });
      const contracted = await runCli(
        ['migrate'],
        env('cli'),
        undefined,
        undefined,
        sourceEntry(contracting),
      );
      t.is(contracted.code, 0, contracted.stderr);
      const refused = await runCli(
        ['start'],
        env('old'),
        undefined,
        undefined,
        builtEntry(previous.dir),
      );
      t.is(refused.code, 1, refused.stdout);
      t.regex(
        refused.stderr,
        new RegExp(
          `migrated by a newer release that removed what this one needs \\(${CONTRACT}\\)`,
        ),
      );
      t.is(refused.stderr.trim().split('\n').length, 1, `one line: ${refused.stderr}`);
      // The daemon of this release, still running, kept serving through all of it.
      t.is((await api(current.url, 'GET', '/healthz')).status, 200);
    } finally {
      for (const d of daemons) await d.stop();
      await pg.drop();
    }
  });
} else {
  test('the rolling-upgrade test needs DATABASE_URL (CI sets it)', (t) => {
    t.is(process.env.DATABASE_URL, undefined);
  });
}
