import { type Line, runMembersBench } from './members-bench.ts';

// `npm run bench`: runs every benchmark in turn. stdout carries only the JSON lines, one per
// measurement; progress and skips go to stderr.

const emit = (line: Line): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const benches: Array<[string, (emit: (line: Line) => void) => Promise<void>]> = [['members', runMembersBench]];

for (const [name, run] of benches) {
  process.stderr.write(`[bench] ${name}\n`);
  await run(emit);
}
