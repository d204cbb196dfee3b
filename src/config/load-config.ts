import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { type Config, configSchema } from './config-schema.ts';

/** Environment variables that override the file; each names the key it sets. */
const OVERRIDES: Array<{ env: string; key: string[]; number?: boolean }> = [
  { env: 'HOST', key: ['server', 'host'] },
  { env: 'PORT', key: ['server', 'port'], number: true },
  { env: 'DATABASE_URL', key: ['database', 'url'] },
  { env: 'PROVISIOND_DATA_DIR', key: ['database', 'dataDir'] },
  { env: 'PROVISIOND_MIGRATE', key: ['database', 'migrate'] },
  { env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', key: ['tracing', 'endpoint'] },
  { env: 'PROVISIOND_LOG_LEVEL', key: ['log', 'level'] },
];

function set(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

function describe(issue: z.core.$ZodIssue, origin: Map<string, string>): string {
  const key = issue.path.join('.') || '(top level)';
  const from = origin.get(key);
  const where = from ? ` (from ${from})` : '';
  if (issue.code === 'unrecognized_keys') {
    return `${key === '(top level)' ? '' : `${key}: `}unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${key}${where}: ${issue.message}`;
}

export interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(options: LoadOptions = {}): Config & { file: string | null } {
  const env = options.env ?? process.env;
  const file = options.file ?? env.PROVISIOND_CONFIG ?? null;
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError([
        `cannot read the configuration file ${file}: ${(error as Error).message}`,
      ]);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (error) {
      const at =
        error instanceof YAMLParseError && error.linePos
          ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`
          : '';
      throw new ConfigError([
        `${file} is not valid YAML${at}: ${(error as Error).message.split('\n')[0]}`,
      ]);
    }
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw new ConfigError([
        `${file} must hold a mapping of keys (server, database, …) at the top`,
      ]);
  }
  const merged = structuredClone(raw) as Record<string, unknown>;
  const origin = new Map<string, string>();
  for (const o of OVERRIDES) {
    const value = env[o.env];
    if (value === undefined || value === '') continue;
    const parsed = o.number && /^\d+$/.test(value) ? Number(value) : value;
    set(merged, o.key, parsed);
    origin.set(o.key.join('.'), `environment variable ${o.env}`);
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => describe(i, origin)));
  const config = result.data;
  // Resolved once, here: a relative dataDir in the file is taken from the file's folder, one in
  // PROVISIOND_DATA_DIR from the working directory; the default is already absolute.
  const fromFile = (raw as { database?: { dataDir?: string } }).database?.dataDir;
  if (config.database.dataDir === 'memory://') {
    // PGlite in memory: nothing is kept (tests).
  } else if (file && fromFile && !env.PROVISIOND_DATA_DIR) {
    config.database.dataDir = path.resolve(path.dirname(file), config.database.dataDir);
  } else {
    config.database.dataDir = path.resolve(config.database.dataDir);
  }
  return { ...config, file };
}
