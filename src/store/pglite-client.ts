import type { Client, Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import type { PgliteThread } from './pglite-thread.ts';

// knex-pglite with a pool of several connections, each a session of the one database in its
// thread (PgliteThread.session). knex-pglite itself allows one: with PGlite in the daemon's thread
// a second could only wait.

/** Sessions in the pool: enough for the worker to always find the next statement waiting. */
const SESSIONS = 8;

interface PoolConfig {
  min?: number;
  max?: number;
}

class PgliteSessions extends (ClientPgLite as unknown as new (
  config: Knex.Config,
) => { getPoolSettings(pool: PoolConfig): unknown }) {
  declare pglite: PgliteThread;

  override getPoolSettings(pool: PoolConfig): unknown {
    return super.getPoolSettings({ ...pool, min: 0, max: SESSIONS });
  }

  async _acquireOnlyConnection() {
    await this.pglite.waitReady;
    return this.pglite.session();
  }

  async destroyRawConnection(): Promise<void> {
    // A session holds nothing of its own: closing the database is Database.close's.
  }
}

export const PgliteClient = PgliteSessions as unknown as typeof Client;
