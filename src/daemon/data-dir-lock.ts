import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UnavailableError } from '../errors.ts';

// PGlite allows one process per data directory. Whoever opens it — the daemon, or the CLI when
// no daemon runs — first creates this lock file with O_EXCL; a lock whose process is gone is
// stale and taken over.

export interface DataDirLock {
  release(): void;
}

function lockPath(dataDir: string): string {
  return path.join(dataDir, 'provisiond.lock');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockHolder(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath(dataDir), 'utf8'), 10);
    return Number.isFinite(pid) && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

export function acquireDataDirLock(dataDir: string, purpose: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = lockPath(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n${purpose}\n`);
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(dataDir);
      if (holder !== null && holder !== process.pid) {
        throw new UnavailableError(
          `the data directory ${dataDir} is in use by process ${holder}; the embedded database allows one process at a time (stop it, or run the command while the daemon is running so that the CLI goes through it)`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new UnavailableError(`could not lock the data directory ${dataDir}`);
}
