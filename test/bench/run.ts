import type { Line } from './bench-databases.ts';
import { runImportBench } from './import-bench.ts';
import { runMembersBench } from './members-bench.ts';
import { runScimBench } from './scim-bench.ts';
import { runStartBench } from './start-bench.ts';

// `npm run bench` runs every benchmark in turn; `npm run bench -- scim` only the ones named.
// stdout carries only the JSON lines, one per measurement; progress and skips go to stderr.

const emit = (line: Line): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const benches: Record<string, (emit: (line: Line) => void) => Promise<void>> = {
  members: runMembersBench,
  scim: runScimBench,
  import: runImportBench,
  start: runStartBench,
};
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown bench(es): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}\n`,
  );
  process.exit(2);
}

for (const [name, run] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`[bench] ${name}\n`);
  await run(emit);
}
