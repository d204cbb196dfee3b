import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { api, tempDir } from '../helpers/daemon.ts';

// What an operator does: `npm pack`, `npm install -g` the tarball, `provisiond start` in an
// empty folder — compiled JavaScript and migrations only, no TypeScript and no dev dependencies.
// Then the ways it is stopped: SIGTERM to the daemon, to `npm start`, and to the shell npx runs it
// through (which does not pass signals on).

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function started(child: ChildProcess): Promise<{ url: string; output: () => string }> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in 180 s:\n${output}`)), 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"provisiond started"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

/** Resolves once nothing answers at `url` any more. */
async function gone(url: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/healthz`);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test('the packed package installs globally and runs with no dev dependencies', async (t) => {
  t.timeout(20 * 60_000);
  const work = tempDir('provisiond-pack-');
  // The build is already there (npm install ran `prepare`). Packing without scripts keeps
  // `prepare` from rebuilding dist/ and console/dist/ in place while other test files run daemons
  // from them (and from building the console in development mode, as NODE_ENV=test would).
  npm(['pack', '--ignore-scripts', '--pack-destination', work], process.cwd());
  const tarball = readdirSync(work).find((f) => /^provisiond-.*\.tgz$/.test(f))!;
  t.truthy(tarball);
  const prefix = path.join(work, 'global');
  // From the npm cache when it has everything (CI has registry access for the rest).
  npm(
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      path.join(work, tarball),
    ],
    work,
  );
  const installed = path.join(prefix, 'lib', 'node_modules', 'provisiond');
  for (const dev of ['typescript', 'tsx', 'ava', '@biomejs/biome'])
    t.false(existsSync(path.join(installed, 'node_modules', dev)), `${dev} is not installed`);
  t.false(existsSync(path.join(installed, 'src')), 'no TypeScript sources');
  t.true(
    readdirSync(path.join(installed, 'dist', 'migrations')).some((f) => f.endsWith('.js')),
    'compiled migrations',
  );

  const bin = path.join(prefix, 'bin', 'provisiond');
  const empty = tempDir('provisiond-empty-');
  // No development tools on the PATH: only node and the installed package.
  const env = {
    PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: empty,
    PORT: '0',
    PROVISIOND_DATA_DIR: path.join(empty, 'data'),
  };
  const daemon = spawn(bin, ['start'], { cwd: empty, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const up = await started(daemon);
  t.is((await api(up.url, 'GET', '/readyz')).status, 200);
  const keys = execFileSync(bin, ['keys', 'list', '--json'], { cwd: empty, env, encoding: 'utf8' });
  t.deepEqual(JSON.parse(keys).items, []);
  daemon.kill('SIGTERM');
  t.is(await exited(daemon), 0);
  t.regex(up.output(), /provisiond stopped/);

  // `npm start` in the installed package: npm's SIGTERM reaches the daemon (the script execs node).
  const viaNpm = spawn('npm', ['start'], {
    cwd: installed,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const npmUp = await started(viaNpm);
  viaNpm.kill('SIGTERM');
  await exited(viaNpm);
  t.true(await gone(npmUp.url), 'npm start stopped the daemon on SIGTERM');

  // npx runs the bin through `sh -c`, which dies of SIGTERM without passing it on; the daemon,
  // started by npm, stops when its parent goes. Its output goes to a file, which outlives the shell.
  const log = path.join(empty, 'daemon.log');
  const viaShell = spawn('sh', ['-c', `${bin} start > ${log} 2>&1; true`], {
    cwd: empty,
    env: { ...env, npm_command: 'exec' },
    stdio: 'ignore',
  });
  let url: string | undefined;
  for (let i = 0; i < 1800 && !url; i++) {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    url = /"url":"(http:\/\/[^"]+)".*"msg":"provisiond started"/.exec(text)?.[1];
    if (!url) await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) return t.fail(`the daemon behind the shell did not start`);
  viaShell.kill('SIGTERM');
  t.true(await gone(url), 'the daemon stopped when the shell npx started it through died');
  for (let i = 0; i < 100 && !/provisiond stopped/.test(readFileSync(log, 'utf8')); i++)
    await new Promise((r) => setTimeout(r, 100));
  const text = readFileSync(log, 'utf8');
  t.regex(text, /"signal":"parent exited"/);
  t.regex(text, /provisiond stopped/);
});
