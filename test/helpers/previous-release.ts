import { execFile } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { threadId } from 'node:worker_threads';
import path from 'node:path';
import { promisify } from 'node:util';

// The previous release, built as it shipped, to run beside this tree. Its commit is pinned in
// release/previous (the release process bumps it); the build is kept under
// ~/.cache/provisiond/releases/COMMIT, so that only the first run pays for it. A missing pin or
// a commit this checkout's history lacks is an error, never a skip: the rolling-upgrade promise
// would go untested.

const run = promisify(execFile);
const PIN = 'release/previous';

export interface PreviousRelease {
  commit: string;
  /** The built tree: bin/provisiond.js, dist/, its own migrations. */
  dir: string;
}

function previousCommit(): string {
  if (!existsSync(PIN))
    throw new Error(`${PIN} is missing: it must name the last release's commit (40 hex digits)`);
  const lines = readFileSync(PIN, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length !== 1 || !/^[0-9a-f]{40}$/.test(lines[0]!))
    throw new Error(
      `${PIN} must hold one full commit hash (40 hex digits) besides its # comments; it holds ${JSON.stringify(lines)}`,
    );
  return lines[0]!;
}

const git = async (...args: string[]) => (await run('git', args)).stdout.trim();

async function assertInHistory(commit: string): Promise<void> {
  try {
    await git('cat-file', '-e', `${commit}^{commit}`);
  } catch {
    const shallow = await git('rev-parse', '--is-shallow-repository').catch(() => 'no git');
    const why =
      shallow === 'true'
        ? 'this clone is shallow: fetch the whole history (git fetch --unshallow)'
        : shallow === 'no git'
          ? 'this tree is not a git checkout: run the tests in a clone with its history'
          : 'the commit is not in this history: is the pin a commit that was never pushed?';
    throw new Error(`the previous release ${commit} named in ${PIN} cannot be read: ${why}`);
  }
}

/**
 * Its dependencies: this checkout's node_modules when the two lock files are the same (linked
 * afresh each time, in case the checkout that built it is gone), else its own, from its lock.
 */
async function provideModules(dir: string, commit: string): Promise<void> {
  const modules = path.join(dir, 'node_modules');
  const own = existsSync(modules) && !lstatSync(modules).isSymbolicLink();
  if (own) return;
  const theirs = await git('show', `${commit}:package-lock.json`);
  rmSync(modules, { force: true });
  if (theirs === readFileSync('package-lock.json', 'utf8').trim()) {
    const link = `${modules}.${process.pid}.${threadId}`;
    symlinkSync(path.resolve('node_modules'), link);
    renameSync(link, modules);
    return;
  }
  await run('npm', ['ci', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
  });
}

export async function buildPreviousRelease(): Promise<PreviousRelease> {
  const commit = previousCommit();
  await assertInHistory(commit);
  const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'));
  const dir = path.join(cache, 'provisiond', 'releases', commit);
  const built = path.join(dir, '.built');
  if (!existsSync(built)) {
    // Built beside its place and renamed into it: two test runs at once never see half a build.
    const work = `${dir}.${process.pid}.${threadId}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    await run('sh', ['-c', `git archive ${commit} | tar -x -C "${work}"`]);
    await provideModules(work, commit);
    await run(path.join(work, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
      cwd: work,
      maxBuffer: 64 * 1024 * 1024,
    });
    writeFileSync(path.join(work, '.built'), `${new Date().toISOString()}\n`);
    try {
      renameSync(work, dir);
    } catch {
      // Another run built it first.
      rmSync(work, { recursive: true, force: true });
    }
  }
  await provideModules(dir, commit);
  return { commit, dir };
}
