import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

// `npm run -s bench:tests`: runs the tests as `npm test` does after its build (`npx ava`, with
// this command's arguments passed on) and prints the wall time beside the target of
// eight minutes, then where the machine's CPU went, by kind of process: ava with the test files
// (worker threads of its process; a process each with `--no-worker-threads`), the daemons and
// CLI commands they start, Chromium, PostgreSQL, slapd, Samba, and the rest of the machine.
// /proc is read every SAMPLE_MS, so a process that lives shorter than that can be missed and one
// that ends loses its last slice: the figures are lower bounds.

const SAMPLE_MS = 200;
const TARGET_SECONDS = 8 * 60;
/** Linux counts a process's CPU time in ticks of 1/100 s (USER_HZ) in /proc/PID/stat. */
const TICKS_PER_SECOND = 100;

type Kind =
  | 'test files'
  | 'daemons'
  | 'cli commands'
  | 'chromium'
  | 'postgresql'
  | 'slapd'
  | 'samba'
  | 'ava and the test files'
  | 'this bench'
  | 'rest of the machine';

function kindOf(pid: string, comm: string, cmdline: string): Kind {
  if (pid === String(process.pid)) return 'this bench';
  // The servers by their executable's name first: their arguments can name provisiond's paths.
  if (comm.startsWith('chrom')) return 'chromium';
  if (comm.startsWith('postgres') || comm === 'initdb') return 'postgresql';
  if (comm === 'slapd' || comm === 'slapadd') return 'slapd';
  if (/^(samba|smbd|winbind|ldbsearch|kinit)/.test(comm) || cmdline.includes('samba-tool')) {
    return 'samba';
  }
  if (cmdline.includes('ava/lib/worker')) return 'test files';
  if (/\/provisiond(\.js)? start(\s|$)/.test(cmdline)) return 'daemons';
  if (/\/provisiond(\.js)?(\s|$)/.test(cmdline)) return 'cli commands';
  if (/(^|[/\s])ava(\s|$)/.test(cmdline)) return 'ava and the test files';
  return 'rest of the machine';
}

interface Seen {
  kind: Kind;
  /** CPU ticks when first seen: a process running before the tests counts from there on. */
  from: number;
  last: number;
}

/** `comm`, start time and CPU ticks (user + system) of a process, or null once it has gone. */
async function readStat(pid: string) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    comm,
    started: fields[19]!,
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

async function sample(seen: Map<string, Seen>, first: boolean): Promise<void> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  await Promise.all(
    pids.map(async (pid) => {
      const stat = await readStat(pid);
      if (!stat) return;
      // A pid can be reused: the start time tells the processes apart.
      const key = `${pid}@${stat.started}`;
      const known = seen.get(key);
      if (known) {
        known.last = stat.ticks;
        return;
      }
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      seen.set(key, {
        kind: kindOf(pid, stat.comm, cmdline.replaceAll('\0', ' ')),
        from: first ? stat.ticks : 0,
        last: stat.ticks,
      });
    }),
  );
}

/** Busy and total ticks of all cores together, from the first line of /proc/stat. */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const [, ...values] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.split(/\s+/);
  const ticks = values.filter(Boolean).map(Number);
  const total = ticks.reduce((sum, n) => sum + n, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

const seen = new Map<string, Seen>();
await sample(seen, true);
const machineBefore = await machineTicks();
const started = performance.now();
const ava = spawn('npx', ['ava', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
// ava's report goes to stderr, so that stdout carries only the JSON lines.
ava.stdout.pipe(process.stderr);
const exitCode = await new Promise<number>((resolve) => {
  let running = true;
  ava.once('exit', (code) => {
    running = false;
    resolve(code ?? 1);
  });
  const loop = async () => {
    while (running) {
      await sample(seen, false);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  };
  void loop();
});
const wallSeconds = (performance.now() - started) / 1000;
const machineAfter = await machineTicks();

const byKind = new Map<Kind, { processes: number; ticks: number }>();
for (const { kind, from, last } of seen.values()) {
  if (last === from) continue;
  const entry = byKind.get(kind) ?? { processes: 0, ticks: 0 };
  entry.processes += 1;
  entry.ticks += last - from;
  byKind.set(kind, entry);
}
const cpuTicks = [...byKind.values()].reduce((sum, entry) => sum + entry.ticks, 0);
const round = (n: number) => Math.round(n * 10) / 10;
process.stdout.write(
  `${JSON.stringify({
    bench: 'tests',
    scenario: 'suite',
    exitCode,
    wallSeconds: round(wallSeconds),
    targetSeconds: TARGET_SECONDS,
    timesTarget: Math.round((wallSeconds / TARGET_SECONDS) * 100) / 100,
    cpuSeconds: round(cpuTicks / TICKS_PER_SECOND),
    machineBusyPercent: round(
      (100 * (machineAfter.busy - machineBefore.busy)) / (machineAfter.total - machineBefore.total),
    ),
  })}\n`,
);
for (const [kind, { processes, ticks }] of [...byKind].sort((a, b) => b[1].ticks - a[1].ticks)) {
  process.stdout.write(
    `${JSON.stringify({
      bench: 'tests',
      scenario: 'cpu-by-process',
      kind,
      processes,
      cpuSeconds: round(ticks / TICKS_PER_SECOND),
      percentOfCpu: round((100 * ticks) / cpuTicks),
    })}\n`,
  );
}
process.exitCode = exitCode;
