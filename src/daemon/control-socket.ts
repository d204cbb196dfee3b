import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * The daemon's local socket in the data directory, which the CLI talks through. On PostgreSQL
 * it is named for the database (role, server, port and database name): a CLI pointed at another
 * database, or connecting as another role, never reaches a daemon of this one. Null for a
 * database in memory, and for a PostgreSQL address that does not parse as a URL.
 */
export function controlSocketPath(database: {
  url?: string | undefined;
  dataDir: string;
}): string | null {
  if (database.dataDir === 'memory://') return null;
  if (!database.url) return path.join(database.dataDir, 'provisiond.sock');
  if (!URL.canParse(database.url)) return null;
  const url = new URL(database.url);
  const target = `${decodeURIComponent(url.username)}@${url.hostname.toLowerCase()}:${url.port || '5432'}${url.pathname}`;
  const name = createHash('sha256').update(target).digest('hex').slice(0, 16);
  return path.join(database.dataDir, `provisiond-${name}.sock`);
}
