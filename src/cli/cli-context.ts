import { type Command, InvalidArgumentError } from 'commander';
import type { Config } from '../config/config-schema.ts';
import { type ApiClient, connect } from './api-client.ts';

// Every import here is light: `--help` and a command the daemon answers load no more than the
// command line, the configuration and an HTTP client. What a command needs beyond that it
// imports when it runs.

export interface GlobalOptions {
  config?: string;
  org?: string;
  json?: boolean;
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export async function configOf(command: Command): Promise<Config> {
  const { loadConfig } = await import('../config/load-config.ts');
  return loadConfig({ file: globals(command).config });
}

/** Runs one command against the admin API (through the daemon or in-process) and closes. */
export async function withClient<T>(
  command: Command,
  work: (client: ApiClient, json: boolean) => Promise<T>,
): Promise<T> {
  const options = globals(command);
  const client = await connect(await configOf(command), options.org);
  try {
    return await work(client, options.json ?? false);
  } finally {
    await client.close();
  }
}

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1');
  return Number(value);
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('expected a number of at least 0');
  return n;
}

export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
