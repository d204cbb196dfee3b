// Loaded by ava before every test file. The tests are the compiled files in dist/test, and the
// daemons and CLI commands they start run dist/bundle: `npm test` builds both first
// (`npm run build`, then `npm run build:tests`). A build older than any source is refused here,
// before a test runs, so that no test passes or fails on code that is not the checkout's.
// Plain JavaScript: it has to run when there is no build yet, to say so.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCES = ['src', 'plugins', 'migrations', 'test', 'console/src'];
// Written by `npm run build` (the modules the tests import, and the bundle the daemons and CLI
// commands they start run) and by `npm run build:tests`.
const OUTPUTS = [
  'dist/src/cli/main.js',
  'dist/bundle/provisiond/main.js',
  'dist/test/helpers/daemon.js',
];

function builtAt(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    throw new Error(
      `there is no ${file}: run \`npm run build && npm run build:tests\` first (npm test does)`,
    );
  }
}

const built = Math.min(...OUTPUTS.map(builtAt));
for (const dir of SOURCES) {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (statSync(file).mtimeMs > built)
      throw new Error(
        `the build is older than ${file}: run \`npm run build && npm run build:tests\` first (npm test does)`,
      );
  }
}
