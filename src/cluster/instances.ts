import { createHmac, randomInt, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from '../observability/logger.ts';
import { UnavailableError } from '../errors.ts';

// Every process working on the database (a daemon, or a CLI command) registers itself and holds a
// PostgreSQL advisory lock named by its row's `lock_key` on a connection of its own. PostgreSQL
// ends the lock with the connection, so the moment a process dies — kill -9 included — its
// leases (a sync run, an import being applied, mail being sent) may be taken over. On PGlite the
// lock lives in the one in-process database: a restarted daemon finds none held by the last.

/** The first key of every advisory lock of this kind ("prov"); the second is the instance's. */
const LOCK_NAMESPACE = 0x70726f76;

/** SQL true when the instance named by `column` is alive. */
export function instanceAlive(column: string): string {
  return `exists (select 1 from instances i join pg_locks l on l.locktype = 'advisory' and l.granted and l.classid::bigint = ${LOCK_NAMESPACE} and l.objid::bigint = i.lock_key and l.objsubid = 2 where i.id = ${column})`;
}

export interface Instance {
  id: string;
  kind: 'daemon' | 'cli';
  /** Whether this process still holds its lock: false once its lock connection was lost. */
  healthy(): boolean;
  close(): Promise<void>;
}

export interface InstanceOptions {
  kind: 'daemon' | 'cli';
  /** A one-way fingerprint of the invitation link key; the key itself never leaves the process. */
  linkKeyId: string;
  log: Logger;
  /** PostgreSQL's URL: the lock is held on a connection outside the pool. */
  url?: string | undefined;
}

export function linkKeyId(key: Buffer): string {
  return createHmac('sha256', key)
    .update('provisiond invitation link key id')
    .digest('hex')
    .slice(0, 16);
}

export interface PeerInstance {
  id: string;
  kind: string;
  host: string;
  pid: number;
  link_key_id: string | null;
  release: string | null;
  started_at: Date;
}

export function liveInstances(db: Knex): Knex.QueryBuilder<PeerInstance, PeerInstance[]> {
  return db('instances as me')
    .whereRaw(instanceAlive('me.id'))
    .orderBy('started_at')
    .select('id', 'kind', 'host', 'pid', 'link_key_id', 'release', 'started_at');
}

/** The live daemons whose invitation link key is not `ours`. */
export function disagreeing(peers: PeerInstance[], ours: string, self: string): PeerInstance[] {
  return peers.filter(
    (p) => p.id !== self && p.kind === 'daemon' && p.link_key_id !== null && p.link_key_id !== ours,
  );
}

function keyMismatch(peer: PeerInstance): UnavailableError {
  return new UnavailableError(
    `another daemon on this database (process ${peer.pid} on ${peer.host}) seals invitation links with a different key: give every daemon sharing the database the same invitations.linkKey`,
  );
}

async function takeLock(db: Knex, url: string | undefined, key: number) {
  if (!url) {
    // PGlite: one connection, one process; the lock lasts as long as the database is open.
    await db.raw('select pg_advisory_lock(?, ?)', [LOCK_NAMESPACE, key]);
    return { client: null };
  }
  const client = new pg.Client({ connectionString: url, application_name: 'provisiond-instance' });
  await client.connect();
  await client.query('select pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, key]);
  return { client };
}

export async function registerInstance(db: Knex, options: InstanceOptions): Promise<Instance> {
  const id = randomUUID();
  const lockKey = randomInt(1, 2 ** 31 - 1);
  // Registration and the key check happen under one transaction lock, so that two daemons
  // starting at once cannot both miss each other.
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?, 0)', [LOCK_NAMESPACE]);
    if (options.kind === 'daemon' || options.kind === 'cli') {
      const peers = await liveInstances(trx);
      const [other] = disagreeing(peers, options.linkKeyId, id);
      if (other) throw keyMismatch(other);
    }
    await trx('instances').insert({
      id,
      kind: options.kind,
      host: hostname(),
      pid: process.pid,
      lock_key: lockKey,
      link_key_id: options.linkKeyId,
      release: process.env.npm_package_version ?? null,
    });
  });
  let lockClient: pg.Client | null = null;
  let healthy = true;
  try {
    ({ client: lockClient } = await takeLock(db, options.url, lockKey));
  } catch (error) {
    await db('instances').where({ id }).delete();
    throw error;
  }
  lockClient?.on('error', (error) => {
    healthy = false;
    options.log.error(
      { err: error, instance: id },
      'lost the connection holding this process’s lock: other daemons may take over its work',
    );
  });
  return {
    id,
    kind: options.kind,
    healthy: () => healthy,
    async close() {
      await db('instances')
        .where({ id })
        .delete()
        .catch(() => undefined);
      if (lockClient) await lockClient.end().catch(() => undefined);
      else
        await db
          .raw('select pg_advisory_unlock(?, ?)', [LOCK_NAMESPACE, lockKey])
          .catch(() => undefined);
    },
  };
}

/** Forgets instances that died long ago: their leases were free the moment they died. */
export async function forgetDeadInstances(db: Knex): Promise<number> {
  return db('instances as me')
    .whereRaw(`not ${instanceAlive('me.id')}`)
    .andWhereRaw("heartbeat_at < now() - interval '1 hour'")
    .delete();
}

export async function heartbeat(db: Knex, id: string): Promise<void> {
  await db('instances').where({ id }).update({ heartbeat_at: db.fn.now() });
}
