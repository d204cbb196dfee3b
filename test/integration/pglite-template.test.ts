import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { tempDir } from '../helpers/daemon.ts';
import { openDatabase } from '../../src/store/database.ts';
import { migrateToLatest, migrationStatus } from '../../src/store/migrations.ts';
import { templatePath } from '../../src/store/pglite-template.ts';

// A new embedded database starts from the cached copy of PGlite's initdb once there is one. The
// cache folder is this file's own, so the first open here really runs initdb.

const cache = tempDir('provisiond-cache-');
process.env.XDG_CACHE_HOME = cache;
const dataDir = () => path.join(tempDir('provisiond-template-'), 'data');

async function usable(dir: string): Promise<string[]> {
  const database = await openDatabase({ dataDir: dir });
  try {
    const applied = await migrateToLatest(database.knex);
    await database.knex.raw("select similarity('ada', 'adam')");
    return applied.length > 0 ? applied : (await migrationStatus(database.knex)).applied;
  } finally {
    await database.close();
  }
}

test.serial(
  'the first new database leaves a copy; the next starts from it, as usable',
  async (t) => {
    const file = templatePath();
    t.true(file.startsWith(path.join(cache, 'provisiond')));
    t.false(existsSync(file));
    const first = await usable(dataDir());
    t.true(existsSync(file));
    const copy = readFileSync(file);
    // A plain tar (its magic at byte 257), not gzip'd: a new database loads it without inflating.
    t.is(copy.subarray(257, 262).toString('latin1'), 'ustar');
    const second = dataDir();
    t.deepEqual(await usable(second), first);
    // Unpacked onto disk by us, not inside PGlite's memory (which would leave it 0755).
    t.is(statSync(path.join(second, 'pgdata')).mode & 0o777, 0o700);
    // The second one reopens like any other (a restart), and the copy was only read.
    t.deepEqual(await usable(second), first);
    t.true(readFileSync(file).equals(copy));
    // In memory (the tests' databases) too.
    t.deepEqual(await usable('memory://'), first);
  },
);

test.serial('a damaged copy is removed and the database is made by initdb', async (t) => {
  const file = templatePath();
  writeFileSync(file, 'not a tar');
  t.true((await usable(dataDir())).length > 0);
  // Replaced by a good copy from that initdb.
  t.true(existsSync(file));
  t.not(readFileSync(file, 'utf8').slice(0, 9), 'not a tar');
});

test.serial('without a usable cache folder a new database is made as before', async (t) => {
  // A file where the folder should be: nothing can be written under it.
  const blocked = path.join(cache, 'a-file');
  writeFileSync(blocked, '');
  process.env.XDG_CACHE_HOME = blocked;
  try {
    t.true((await usable(dataDir())).length > 0);
    t.false(existsSync(templatePath()));
  } finally {
    process.env.XDG_CACHE_HOME = cache;
  }
});

test.serial(
  'an embedded database keeps 32 MB of shared buffers and writes no zeros into new WAL files, new or reopened',
  async (t) => {
    // PostgreSQL's default of 128 MB stays in the daemon's memory for good once touched; zeroing a
    // new WAL file held the one connection for 50-90 ms.
    const dir = dataDir();
    for (const open of [dir, dir, 'memory://']) {
      const database = await openDatabase({ dataDir: open });
      try {
        const { rows } = (await database.knex.raw(
          "select current_setting('shared_buffers') as shared_buffers, current_setting('wal_init_zero') as wal_init_zero",
        )) as { rows: Array<{ shared_buffers: string; wal_init_zero: string }> };
        t.deepEqual(rows[0], { shared_buffers: '32MB', wal_init_zero: 'off' }, open);
      } finally {
        await database.close();
      }
    }
  },
);
