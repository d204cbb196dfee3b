import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { defaultDataDir, migrateMode } from '../../src/config/config-schema.ts';
import { tempDir } from '../helpers/daemon.ts';

function file(text: string): string {
  const f = path.join(tempDir('cfg-'), 'provisiond.yaml');
  writeFileSync(f, text);
  return f;
}

/** The problems a configuration is refused with; fails the test when it is accepted. */
function problems(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

test('defaults: 127.0.0.1:8080, embedded database in an absolute folder of the user', (t) => {
  const config = loadConfig({ env: {} });
  t.is(config.server.host, '127.0.0.1');
  t.is(config.server.port, 8080);
  t.is(config.database.url, undefined);
  // Not ./data: the CLI run from another folder must open the daemon's database, not a new one.
  t.is(config.database.dataDir, defaultDataDir());
  t.true(path.isAbsolute(config.database.dataDir));
  t.is(migrateMode(config), 'auto');
  t.is(migrateMode(loadConfig({ env: { DATABASE_URL: 'postgres://h/db' } })), 'manual');
  t.is(
    migrateMode(
      loadConfig({ env: { DATABASE_URL: 'postgres://h/db', PROVISIOND_MIGRATE: 'auto' } }),
    ),
    'auto',
  );
});

test('environment variables override the file', (t) => {
  const f = file('server:\n  port: 9000\n');
  const config = loadConfig({
    file: f,
    env: {
      PORT: '9100',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://x@127.0.0.1/db',
      PROVISIOND_DATA_DIR: '/tmp/pdx',
    },
  });
  t.is(config.server.port, 9100);
  t.is(config.server.host, '0.0.0.0');
  t.is(config.database.url, 'postgres://x@127.0.0.1/db');
  t.is(config.database.dataDir, '/tmp/pdx');
});

test('a relative data directory in the file is relative to the file', (t) => {
  const f = file('database:\n  dataDir: ./state\n');
  t.is(loadConfig({ file: f, env: {} }).database.dataDir, path.join(path.dirname(f), 'state'));
});

test('a wrong value names the key and what is expected', (t) => {
  t.regex(
    problems(() => loadConfig({ file: file('server:\n  port: eighty\n'), env: {} })),
    /^server\.port: .*number/m,
  );
  t.regex(
    problems(() => loadConfig({ env: { PORT: '70000' } })),
    /server\.port \(from environment variable PORT\)/,
  );
  t.regex(
    problems(() => loadConfig({ file: file('database:\n  url: mysql://x\n'), env: {} })),
    /database\.url: must be a postgres/,
  );
  t.regex(
    problems(() => loadConfig({ file: file('log:\n  level: loud\n'), env: {} })),
    /log\.level/,
  );
});

test('an unknown key is an error, not silently ignored', (t) => {
  t.regex(
    problems(() => loadConfig({ file: file('sever:\n  port: 8080\n'), env: {} })),
    /unknown key\(s\) "sever"/,
  );
  t.regex(
    problems(() => loadConfig({ file: file('server:\n  prot: 8080\n'), env: {} })),
    /server: unknown key\(s\) "prot"/,
  );
});

test('malformed YAML and a missing file are reported with where', (t) => {
  t.regex(
    problems(() => loadConfig({ file: file('server:\n  port: [8080\n'), env: {} })),
    /not valid YAML at line \d+/,
  );
  t.regex(
    problems(() => loadConfig({ file: '/nonexistent/provisiond.yaml', env: {} })),
    /cannot read the configuration file/,
  );
  t.regex(
    problems(() => loadConfig({ file: file('- a\n- b\n'), env: {} })),
    /must hold a mapping/,
  );
});
