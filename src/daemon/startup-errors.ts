import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config-schema.ts';
import { DomainError, UnavailableError } from '../errors.ts';

// What stops a start, said in one line that names the setting to change and what to try. The
// raw error stays attached as `cause` for the debug log.

/** The PostgreSQL server a URL names, without its password. */
function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `database "${decodeURIComponent(u.pathname.slice(1)) || '(default)'}" on ${u.hostname}:${u.port || 5432}${u.username ? ` as role "${decodeURIComponent(u.username)}"` : ''}`;
  } catch {
    return 'the PostgreSQL server';
  }
}

/** Which database a process opens, for the line the CLI prints. */
export function databaseLabel(config: Config): string {
  return config.database.url
    ? `PostgreSQL ${describeDatabaseUrl(config.database.url)}`
    : `the embedded database in ${config.database.dataDir}`;
}

export function databaseOpenError(config: Config, error: unknown): Error {
  if (error instanceof DomainError) return error;
  const e = error as { code?: string; message?: string };
  const setting = 'DATABASE_URL (database.url)';
  if (!config.database.url) {
    return new UnavailableError(
      `the embedded database in ${config.database.dataDir} (database.dataDir, PROVISIOND_DATA_DIR) could not be opened: ${e.message ?? String(error)}`,
      {},
      { cause: error },
    );
  }
  const where = describeDatabaseUrl(config.database.url);
  const because: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused: is PostgreSQL running and listening there?',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name does not resolve',
    ETIMEDOUT: 'the connection timed out: check the host, the port and any firewall',
    EHOSTUNREACH: 'the host is unreachable',
    // PostgreSQL's own codes: invalid_catalog_name, invalid_authorization_specification, invalid_password.
    '3D000': 'that database does not exist: create it (createdb) or correct the URL',
    '28000': 'that role does not exist or may not connect: create it or correct the URL',
    '28P01': 'the password was refused: correct the URL or the role’s password',
  };
  const reason = (e.code && because[e.code]) ?? e.message ?? String(error);
  return new UnavailableError(
    `cannot open the ${where} named by ${setting}: ${reason}`,
    {},
    { cause: error },
  );
}

export function listenError(config: Config, error: unknown): Error {
  const e = error as NodeJS.ErrnoException;
  const where = `${config.server.host}:${config.server.port}`;
  if (e.code === 'EADDRINUSE')
    return new UnavailableError(
      `the port ${where} is already in use: stop what listens there or choose another with PORT (server.port)`,
      {},
      { cause: error },
    );
  if (e.code === 'EACCES')
    return new UnavailableError(
      `not allowed to listen on ${where}: ports below 1024 need privileges; choose another with PORT (server.port)`,
      {},
      { cause: error },
    );
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
    return new UnavailableError(
      `cannot listen on ${where}: that address is not one of this machine's; correct HOST (server.host)`,
      {},
      { cause: error },
    );
  return new UnavailableError(
    `cannot listen on ${where} (PORT, HOST): ${e.message}`,
    {},
    { cause: error },
  );
}

/**
 * The embedded data directory must be writable, or creatable in a writable folder; checked before
 * anything is created so that a refused start leaves nothing behind.
 */
export function assertDataDirWritable(dataDir: string): void {
  let probe = dataDir;
  while (!existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
  try {
    accessSync(probe, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new UnavailableError(
      `the data directory ${dataDir} (database.dataDir, PROVISIOND_DATA_DIR) is not writable${probe === dataDir ? '' : ` (nor is ${probe}, where it would be created)`}: fix its permissions or choose another`,
      {},
      { cause: error },
    );
  }
}
