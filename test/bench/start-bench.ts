import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { templatePath } from '../../src/store/pglite-template.ts';
import { freePort } from '../helpers/free-port.ts';
import { type Line, benchPostgresUrl, createPostgresDatabase } from './bench-databases.ts';
import { DAEMON_ENV } from './daemon-env.ts';

// The start benchmark: how long the built daemon (`node bin/provisiond.js start`, with the
// environment `npm start` gives it) takes from its spawn to the first 200 from /healthz, and its RSS once idle, on a new
// embedded data directory, on restarts of it, and on restarts on PostgreSQL. The ceiling, in the
// same run: a bare Node process that listens with node:http and answers /healthz.
// Then the CLI, from its spawn to its exit: `provisiond --help`, and `provisiond members list`
// answered by the daemon of each database. Its ceiling: `node -e 0`, a Node process that does
// nothing.

const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 3);
if (!Number.isInteger(RESTARTS) || RESTARTS < 1)
  throw new Error(`BENCH_RESTARTS must be a positive integer (got ${process.env.BENCH_RESTARTS})`);
/** How long after its first answer the idle RSS is read: timers and lazy loads have run by then. */
const SETTLE_MS = 5_000;
const POLL_MS = 20;
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 7);
if (!Number.isInteger(CLI_RUNS) || CLI_RUNS < 1)
  throw new Error(`BENCH_CLI_RUNS must be a positive integer (got ${process.env.BENCH_CLI_RUNS})`);
const BIN = path.resolve('bin', 'provisiond.js');

const BARE_SERVER = `
require('node:http').createServer((req, res) => res.end('{"status":"ok"}')).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function firstAnswer(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the process exited (${child.exitCode}) before it answered`);
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Spawns and waits for the first 200 from /healthz. */
async function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; ms: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    return { child, ms: await firstAnswer(`http://127.0.0.1:${port}/healthz`, child, started) };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

/** Spawns, waits for the first 200 from /healthz, reads the idle RSS, stops. */
async function measure(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; idleRssMB: number }> {
  const { child, ms } = await startServer(args, env);
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return { ms: Math.round(ms), idleRssMB: await rssMB(child.pid!) };
  } finally {
    await stop(child);
  }
}

/** The median wall time of CLI_RUNS runs of a command, from its spawn to its exit. */
async function commandMs(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    const started = performance.now();
    await promisify(execFile)(process.execPath, args, { env });
    times.push(performance.now() - started);
  }
  return Math.round(times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!);
}

/** `members list` answered by a daemon of the database `env` names, started for it. */
async function membersListMs(env: NodeJS.ProcessEnv): Promise<number> {
  const { child } = await startServer([BIN, 'start'], env);
  try {
    return await commandMs([BIN, 'members', 'list'], env);
  } finally {
    await stop(child);
  }
}

/**
 * The key the built daemon gives its cached copy: it names the compiled migrations
 * (dist/migrations/*.js), which this bench, run from the sources, would not hash.
 */
async function builtMigrationSetKey(): Promise<string> {
  const built = pathToFileURL(path.resolve('dist', 'src', 'store', 'migrations.js')).href;
  const { migrationSetKey } = (await import(
    built
  )) as typeof import('../../src/store/migrations.ts');
  return migrationSetKey();
}

function daemonEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...DAEMON_ENV,
    PROVISIOND_LOG_LEVEL: 'warn',
    ...extra,
  };
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  return env;
}

export async function runStartBench(emit: (line: Line) => void): Promise<void> {
  if (!existsSync(path.resolve('dist', 'bundle', 'provisiond', 'main.js')))
    throw new Error('the start bench runs the built daemon: run `npm run build` first');
  const bare = await measure(['-e', BARE_SERVER], process.env);
  emit({ bench: 'start', scenario: 'node-http-ceiling', db: 'none', ...bare });
  const line = (scenario: string, db: string, figure: Line & { ms: number }) =>
    emit({
      bench: 'start',
      scenario,
      db,
      ...figure,
      ceilingMs: bare.ms,
      timesCeiling: Math.round((figure.ms / bare.ms) * 10) / 10,
      ceilingRssMB: bare.idleRssMB,
    });
  const bareNodeMs = await commandMs(['-e', '0'], process.env);
  const cliLine = (scenario: string, db: string, ms: number, targetMs: number) =>
    emit({
      bench: 'start',
      scenario,
      db,
      ms,
      targetMs,
      ceilingMs: bareNodeMs,
      timesCeiling: Math.round((ms / bareNodeMs) * 10) / 10,
    });
  cliLine('cli-help', 'none', await commandMs([BIN, '--help'], process.env), 300);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'provisiond-bench-start-'));
  try {
    const env = daemonEnv({ PROVISIOND_DATA_DIR: path.join(dir, 'data') });
    process.stderr.write('[start] embedded: a new data directory, then restarts\n');
    // A new data directory starts from the cached migrated copy when there is one (the README's
    // "Configuration"), else from initdb: the line says which.
    const fromCopy = existsSync(templatePath(`schema-${await builtMigrationSetKey()}`));
    line('first-start-new-data-dir', 'pglite', {
      ...(await measure([BIN, 'start'], env)),
      fromCachedCopy: fromCopy ? 'yes' : 'no',
    });
    for (let i = 0; i < RESTARTS; i++)
      line('restart', 'pglite', await measure([BIN, 'start'], env));
    cliLine('cli-members-list-daemon', 'pglite', await membersListMs(env), 600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const pg = await createPostgresDatabase(benchPostgresUrl(), 'start');
  if (!pg) return;
  try {
    const env = daemonEnv({ DATABASE_URL: pg.url });
    await promisify(execFile)(process.execPath, [BIN, 'migrate'], { env });
    process.stderr.write('[start] PostgreSQL: restarts on a migrated database\n');
    for (let i = 0; i < RESTARTS; i++)
      line('restart', 'postgres', await measure([BIN, 'start'], env));
    cliLine('cli-members-list-daemon', 'postgres', await membersListMs(env), 600);
  } finally {
    await pg.drop();
  }
}
