import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createPostgresDatabase, type DatabaseKind } from './databases.ts';
import { type DaemonProcess, runCli, startDaemonProcess, tempDir } from './daemon.ts';

// The real daemon for the console tests, on PGlite or on a throwaway PostgreSQL database, with
// an editor API key for setting the scene and members created through the CLI.

export interface ConsoleDaemon {
  url: string;
  env: Record<string, string>;
  daemon: DaemonProcess;
  stop(): Promise<void>;
}

export async function startConsoleDaemon(kind: DatabaseKind, config = ''): Promise<ConsoleDaemon> {
  const dir = tempDir('provisiond-console-');
  const env: Record<string, string> = { PROVISIOND_DATA_DIR: path.join(dir, 'data') };
  const configFile = path.join(dir, 'provisiond.yaml');
  writeFileSync(configFile, config || 'sources:\n  - { name: builtin, type: builtin }\n');
  env.PROVISIOND_CONFIG = configFile;
  const pg = kind === 'postgres' ? await createPostgresDatabase() : null;
  if (pg) env.DATABASE_URL = pg.url;
  const daemon = await startDaemonProcess(env);
  return {
    url: daemon.url,
    env,
    daemon,
    async stop() {
      await daemon.stop();
      await pg?.drop();
    },
  };
}

export async function cli(target: ConsoleDaemon, args: string[], stdin?: string) {
  const result = await runCli(args, target.env, stdin);
  if (result.code !== 0) throw new Error(`provisiond ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A built-in member made by the local administrator (the CLI), password already chosen. */
export async function createMember(
  target: ConsoleDaemon,
  username: string,
  options: { role?: string; userType?: string; password?: string } = {},
): Promise<{ id: string; username: string }> {
  const out = await cli(
    target,
    [
      '--json',
      'members',
      'create',
      '--username',
      username,
      '--email',
      `${username}@example.org`,
      '--name',
      username.replace('.', ' '),
      '--user-type',
      options.userType ?? 'Creator',
      '--role',
      options.role ?? 'User',
      '--password-stdin',
      '--no-temporary-password',
    ],
    options.password ?? PASSWORD,
  );
  return JSON.parse(out);
}

export const PASSWORD = 'Harbour-5521-xq';

/** The first administrator, as the README's first steps make it. */
export async function firstAdministrator(
  target: ConsoleDaemon,
  username: string,
  password = PASSWORD,
): Promise<void> {
  await createMember(target, username, { role: 'Administrator', password });
}

/** Opens a console address: signed out, the console hands over to the sign-in page and back. */
export async function signInThroughConsole(
  page: Page,
  url: string,
  username: string,
  password = PASSWORD,
): Promise<void> {
  await page.goto(url);
  await page.waitForURL(/\/auth\/sign-in/);
  await page.getByLabel(/username/i).fill(username);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(/\/console/);
}
