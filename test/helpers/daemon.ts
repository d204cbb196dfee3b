import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

// The real daemon and the real CLI, as child processes: `node bin/provisiond.js …`, the built
// tree `npm start` and `npx provisiond` run. Built, not run under tsx: the suite starts hundreds
// of them, and tsx compiling the sources again in each cost about half a second of CPU apiece.
// `npm test` builds first; test/require-current-build.js refuses a build older than the sources.

// tsx by path, so that a child started in another folder (cwd) still finds it.
const TSX = pathToFileURL(path.resolve('node_modules/tsx/dist/loader.mjs')).href;

/** This test file's temporary folders, removed once ava has run all of its tests. */
const temporary: string[] = [];

// A run of the suite left about 130 folders and 2.5 GB behind (an installed package, PGlite data
// directories, Chromium profiles). By the time ava calls its completion handlers, the file's
// teardowns have stopped its daemons and browsers. ava exits any process that imports it outside
// a test worker, so the console bench, which starts daemons with this helper too, keeps its
// folders; ava's own test for "in a worker" is the one used here.
if (!isMainThread || typeof process.send === 'function') {
  const { registerCompletionHandler } = await import('ava');
  registerCompletionHandler(() => {
    for (const dir of temporary.splice(0)) {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        // Every test has passed or failed by now: a folder left behind is only reported.
        process.stderr.write(`could not remove ${dir}: ${(error as Error).message}\n`);
      }
    }
  });
}

export function tempDir(prefix = 'provisiond-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

export interface DaemonProcess {
  url: string;
  process: ChildProcess;
  output(): string;
  /** Sends the signal and resolves with the exit code, or the signal that killed the process. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

export interface ProcessEnv {
  [key: string]: string | undefined;
}

function childEnv(env: ProcessEnv): NodeJS.ProcessEnv {
  // The test runner's own DATABASE_URL must not leak into a daemon meant for PGlite.
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: undefined,
    PROVISIOND_CONFIG: undefined,
    PORT: '0',
    NO_COLOR: '1',
    // On PostgreSQL the daemon leaves migrations to `provisiond migrate` unless told otherwise;
    // tests that start one on a fresh database let it migrate (the migration tests unset this).
    PROVISIOND_MIGRATE: 'auto',
  };
  return Object.fromEntries(
    Object.entries({ ...base, ...env }).filter(([, v]) => v !== undefined),
  ) as NodeJS.ProcessEnv;
}

/** What node runs: this checkout's built CLI, by default. */
export type Entry = string[];

/** The CLI of a checkout's TypeScript sources (`DIR/src/cli/main.ts`), run under this one's tsx. */
export const sourceEntry = (dir: string): Entry => [
  '--import',
  TSX,
  path.join(dir, 'src/cli/main.ts'),
];

/** A built release's CLI, as installed: `node DIR/bin/provisiond.js`, no TypeScript loader. */
export const builtEntry = (dir: string): Entry => [path.join(dir, 'bin/provisiond.js')];

const DEFAULT_ENTRY: Entry = builtEntry(process.cwd());

/** `entry`: another checkout's CLI (the previous release, in the upgrade test). */
export function startDaemonProcess(
  env: ProcessEnv,
  args: string[] = [],
  entry: Entry = DEFAULT_ENTRY,
): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [...entry, ...args, 'start'], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // The exit code, or the name of the signal that ended the process (it did not exit itself).
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the daemon did not start within 120 s:\n${output}`)),
      // A loaded two-core machine takes tens of seconds to initialise an embedded database.
      120_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"provisiond started"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          process: child,
          output: () => output,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited with ${code} before starting:\n${output}`));
    });
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  env: ProcessEnv,
  stdin?: string,
  cwd?: string,
  entry: Entry = DEFAULT_ENTRY,
): Promise<CliResult> {
  const child = spawn(process.execPath, [...entry, ...args], {
    env: childEnv(env),
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** The CLI with a reader that closes the pipe before reading anything, as `| head -0` does. */
export function runCliUnread(args: string[], env: ProcessEnv): Promise<CliResult> {
  const child = spawn(process.execPath, [...DEFAULT_ENTRY, ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code, stdout: '', stderr })),
  );
}

export async function api(
  url: string,
  method: string,
  urlPath: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${url}${urlPath}`, {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (metrics); keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
