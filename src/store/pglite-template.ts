import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { extract } from 'tar';

// A new embedded database starts with PGlite's initdb, which takes 10–25 s on a small machine;
// loading the same freshly initialised data directory from a tar takes a few. So the first
// initdb on a machine leaves its result in the user's cache folder, and every later new
// database (a second data directory, each test's throwaway one) starts from that copy. PGlite
// itself does exactly this: it runs initdb in a scratch instance and loads its dump. The copy
// holds no data and no secret, and is keyed by the PGlite release that made it. Without a
// writable cache folder everything works as before, only slower.
//
// The copy is a plain tar, not gzip'd: it takes about 40 MB of disk instead of 5, and each new
// database skips inflating it. Loaded into memory, PGlite otherwise first tries the compressed
// bytes as a tar, fails, and only then inflates them.

function pgliteVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const manifest = path.join(path.dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function cacheDir(): string {
  // systemd's CacheDirectory=, else the XDG cache folder.
  const systemd = process.env.CACHE_DIRECTORY?.split(':')[0];
  if (systemd) return systemd;
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'provisiond');
}

/**
 * `initdb`: a fresh data directory; `schema-<key>`: one with the migrations of that set applied
 * and nothing else, so that a new database also skips running them (they run several times
 * slower on a just-loaded copy than on the directory they were made in).
 */
export function templatePath(stage = 'initdb'): string {
  return path.join(cacheDir(), `pglite-${pgliteVersion()}-${stage}.tar`);
}

/** The cached fresh data directory, or null when there is none yet. */
export function readTemplate(file: string): Blob | null {
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    return null;
  }
}

/** How much of the copy tar reads at a time while unpacking it (see unpackTemplate). */
const UNPACK_READ_BYTES = 256 * 1024;

/**
 * Unpacks the cached copy into `dataDir` (a new, empty data directory on disk). PGlite
 * can load the copy itself, but it unpacks it inside its WebAssembly memory, which never shrinks:
 * a daemon started that way held 405–465 MB for good, against about 300 MB when it opens a data
 * directory already on disk.
 */
export function unpackTemplate(file: string, dataDir: string): void {
  // Owner-only, like the data directory around it (PGlite's own unpacking leaves it 0755).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The dump's paths are absolute (/PG_VERSION, /base/…): tar makes them relative to cwd.
  // tar reads the file into a new 16-MB buffer per read by default, each freed only when this
  // thread next collects garbage, which an idle daemon may not do for a long time: its first start
  // on a new data directory sat at 287–300 MB, against 261–265 MB with 256-KB reads, as much as a
  // restart's (`bench:start`).
  extract({ file, cwd: dataDir, sync: true, maxReadSize: UNPACK_READ_BYTES });
  if (!existsSync(path.join(dataDir, 'PG_VERSION')))
    throw new Error(`${file} holds no PostgreSQL data directory`);
}

/** Leaves a fresh data directory for the next new database; a failure only costs speed. */
export async function saveTemplate(file: string, dump: () => Promise<Blob>): Promise<void> {
  // The thread as well as the process: several threads of one process, each with a database of
  // its own, may save a copy at once.
  const partial = `${file}.${process.pid}.${threadId}.partial`;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(partial, Buffer.from(await (await dump()).arrayBuffer()), { mode: 0o600 });
    // Atomic: a process starting at the same time reads the whole copy or none.
    renameSync(partial, file);
  } catch {
    try {
      rmSync(partial, { force: true });
    } catch {
      // The folder itself is unusable (a file in its path): nothing was written.
    }
  }
}

/** A copy that PGlite could not load is removed so that the next start runs initdb again. */
export function discardTemplate(file: string): void {
  rmSync(file, { force: true });
}
