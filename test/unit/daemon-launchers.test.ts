import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { DAEMON_ENV } from '../bench/daemon-env.ts';

// The three ways the daemon is documented to start give it the same malloc setting, and the benches
// measure it with that setting: dropping it from one launcher would leave that one with a daemon
// 40–50 MB larger at the peak of a first sync than the bench figures say.

const setting = `GLIBC_TUNABLES=${DAEMON_ENV.GLIBC_TUNABLES}`;
const pattern = setting.replaceAll('.', '\\.');
const read = (...parts: string[]) => readFileSync(path.resolve(...parts), 'utf8');

test("npm start gives the daemon the setting, then the caller's own GLIBC_TUNABLES, which win", (t) => {
  const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  t.true(
    scripts.start!.startsWith(`${setting}:$GLIBC_TUNABLES exec node `),
    `the start script was: ${scripts.start}`,
  );
});

test('the systemd unit and the Dockerfile set it', (t) => {
  t.regex(read('deploy', 'provisiond.service'), new RegExp(`^Environment=${pattern}$`, 'm'));
  t.regex(read('deploy', 'Dockerfile'), new RegExp(`^\\s+${pattern}$`, 'm'));
});
