import os from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

// What every benchmark needs to reach PostgreSQL: a throwaway database per run, on the server of
// DATABASE_URL or the local default, skipped (with a line on stderr) when there is none.

export type Line = Record<string, string | number>;

const DEFAULT_PG_URL = 'postgres://127.0.0.1:5432/test';

export function benchPostgresUrl(): string {
  return withUser(process.env.DATABASE_URL || DEFAULT_PG_URL);
}

/** Creates a throwaway database on the server of `baseUrl`; null when the server is unreachable. */
export async function createPostgresDatabase(
  baseUrl: string,
  bench: string,
): Promise<{ url: string; drop(): Promise<void> } | null> {
  const admin = async <T>(use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };
  const name = `provisiond_bench_${randomBytes(6).toString('hex')}`;
  try {
    await admin((client) => client.query(`create database ${name}`));
  } catch (error) {
    process.stderr.write(
      `[${bench}] PostgreSQL at ${redact(baseUrl)} not usable (${(error as Error).message}); skipping PostgreSQL\n`,
    );
    return null;
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(
        () => undefined,
      ),
  };
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Like libpq, a URL without a user name means the OS user (node-postgres would need $USER). */
function withUser(url: string): string {
  const parsed = new URL(url);
  if (!parsed.username && !process.env.PGUSER) parsed.username = os.userInfo().username;
  return parsed.toString();
}
