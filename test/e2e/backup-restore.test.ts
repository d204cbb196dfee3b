import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { api, type ProcessEnv, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// Back up while members are being written, restore into a fresh database, and find every row of
// the copy there (a second copy of the restored database holds the same rows) and every
// invitation link still opening (the link key came back, sealed by the passphrase).

const secretFile = () => {
  const file = path.join(tempDir(), 'passphrase');
  writeFileSync(file, 'correct horse battery staple\n');
  return file;
};

/** The rows of a backup file by table, each row as canonical JSON, sorted. */
function rowsOf(file: string): Map<string, string[]> {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
  const tables = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const parsed = JSON.parse(line);
    if (parsed.kind !== 'rows') continue;
    const list = tables.get(parsed.table) ?? [];
    list.push(...parsed.rows.map((r: unknown) => JSON.stringify(r)));
    tables.set(parsed.table, list);
  }
  for (const list of tables.values()) list.sort();
  return tables;
}

async function roundTrip(
  t: ExecutionContext,
  source: ProcessEnv,
  target: ProcessEnv,
): Promise<void> {
  const passphrase = secretFile();
  const daemon = await startDaemonProcess(source);
  let file = '';
  let invitationId = '';
  try {
    const key = JSON.parse(
      (
        await runCli(
          [
            'keys',
            'create',
            '--title',
            'load',
            '--role',
            'editor',
            '--expires-in-days',
            '365',
            '--json',
          ],
          source,
        )
      ).stdout,
    );
    const invited = await runCli(
      ['invitations', 'create', '--email', 'kept@example.org', '--json'],
      source,
    );
    t.is(invited.code, 0, invited.stderr);
    invitationId = JSON.parse(invited.stdout).id;
    // Writers keep going while the copy is taken.
    let writing = true;
    let written = 0;
    const writer = async (w: number) => {
      for (let i = 0; writing; i++) {
        const created = await api(daemon.url, 'POST', '/api/v1/members', key.secret, {
          username: `load.${w}.${i}`,
          email: `load.${w}.${i}@example.org`,
          firstName: 'Load',
          lastName: `Writer${w}`,
          userType: 'Creator',
          role: 'User',
          password: 'Glacier-5520-k',
        });
        if (created.status === 201) written += 1;
      }
    };
    const writers = [writer(1), writer(2)];
    while (written < 5) await new Promise((r) => setTimeout(r, 100));
    file = path.join(tempDir(), 'provisiond.backup');
    const backup = await runCli(
      ['backup', file, '--passphrase-file', passphrase, '--json'],
      source,
    );
    writing = false;
    await Promise.all(writers);
    t.is(backup.code, 0, backup.stderr);
    const copied = JSON.parse(backup.stdout).tables;
    t.true(copied.members >= 5, JSON.stringify(copied));
    t.true(written > 0);
  } finally {
    t.is(await daemon.stop(), 0);
  }

  const restored = await runCli(
    ['restore', file, '--passphrase-file', passphrase, '--json'],
    target,
  );
  t.is(restored.code, 0, restored.stderr);
  const again = await runCli(['restore', file, '--passphrase-file', passphrase], target);
  t.is(again.code, 1, 'a second restore into the same database is refused');

  const second = path.join(tempDir(), 'second.backup');
  const copy = await runCli(['backup', second, '--passphrase-file', passphrase], target);
  t.is(copy.code, 0, copy.stderr);
  const before = rowsOf(file);
  const after = rowsOf(second);
  t.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
  for (const [table, rows] of before) t.deepEqual(after.get(table), rows, table);

  const shown = await runCli(['invitations', 'show', invitationId, '--json'], target);
  t.is(shown.code, 0, shown.stderr);
  t.regex(JSON.parse(shown.stdout).link ?? '', /token=/, 'the link opens with the restored key');
}

test.serial(
  'embedded: backup through the running daemon under write load, restore, same rows',
  async (t) => {
    await roundTrip(
      t,
      { PROVISIOND_DATA_DIR: path.join(tempDir(), 'a') },
      { PROVISIOND_DATA_DIR: path.join(tempDir(), 'b') },
    );
  },
);

test.serial(
  'a wrong passphrase, a newer schema or a damaged file are refused; nothing is restored',
  async (t) => {
    const source = { PROVISIOND_DATA_DIR: path.join(tempDir(), 'src') };
    const passphrase = secretFile();
    const daemon = await startDaemonProcess(source);
    const file = path.join(tempDir(), 'x.backup');
    try {
      t.is((await runCli(['backup', file, '--passphrase-file', passphrase], source)).code, 0);
      const missing = await runCli(['backup', path.join(tempDir(), 'y.backup')], source);
      t.is(missing.code, 1);
      t.regex(missing.stderr, /--passphrase-file FILE or --passphrase-env/);
    } finally {
      await daemon.stop();
    }
    const wrong = path.join(tempDir(), 'wrong');
    writeFileSync(wrong, 'not the right passphrase');
    const target = path.join(tempDir(), 'dst');
    const refused = await runCli(['restore', file, '--passphrase-file', wrong], {
      PROVISIOND_DATA_DIR: target,
    });
    t.is(refused.code, 1);
    t.regex(refused.stderr, /passphrase: does not open/);

    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
    const head = JSON.parse(lines[0]!);
    head.migrations.push('20991231_999_from_the_future');
    const newer = path.join(tempDir(), 'newer.backup');
    const { gzipSync } = await import('node:zlib');
    writeFileSync(newer, gzipSync([JSON.stringify(head), ...lines.slice(1)].join('\n')));
    const future = await runCli(['restore', newer, '--passphrase-file', passphrase], {
      PROVISIOND_DATA_DIR: target,
    });
    t.is(future.code, 1);
    t.regex(future.stderr, /newer than this release \(20991231_999_from_the_future\)/);

    const cut = path.join(tempDir(), 'cut.backup');
    writeFileSync(cut, gzipSync(lines.slice(0, -2).join('\n')));
    const truncated = await runCli(['restore', cut, '--passphrase-file', passphrase], {
      PROVISIOND_DATA_DIR: path.join(tempDir(), 'dst2'),
    });
    t.is(truncated.code, 1);
    t.regex(truncated.stderr, /truncated/);
    const status = await runCli(['migrate', 'status', '--json'], {
      PROVISIOND_DATA_DIR: path.join(tempDir(), 'dst2'),
    });
    t.is(status.code, 1, 'a refused restore created no database');
  },
);

if (databaseKinds().includes('postgres')) {
  test.serial(
    'PostgreSQL: backup under write load, restore into an empty database, same rows',
    async (t) => {
      const a = await createPostgresDatabase();
      const b = await createPostgresDatabase();
      // One data directory for both: the CLI's link key file is where restore puts the key back.
      const keyDir = path.join(tempDir(), 'keys');
      try {
        await roundTrip(
          t,
          { DATABASE_URL: a.url, PROVISIOND_DATA_DIR: keyDir },
          { DATABASE_URL: b.url, PROVISIOND_DATA_DIR: keyDir, PROVISIOND_MIGRATE: undefined },
        );
      } finally {
        await a.drop();
        await b.drop();
      }
    },
  );
} else {
  test('the PostgreSQL backup test needs DATABASE_URL (CI sets it)', (t) => {
    t.is(process.env.DATABASE_URL, undefined);
  });
}
