import type { Knex } from 'knex';
import { instanceAlive } from '../cluster/instances.ts';
import { affectedRows } from '../store/affected-rows.ts';

// Per-source state shared by every daemon on one database: the incremental token, and a lease so
// that one run per source happens at a time. The lease names the process holding it: once that
// process is gone (its instance lock ended with its connection, kill -9 included) the lease is
// free at once. A lease without a process (taken by a release before instances existed) expires
// after LEASE_SECONDS.

const LEASE_SECONDS = 300;

async function ensureRow(db: Knex, orgId: string, source: string): Promise<void> {
  await db.raw('insert into sync_state (org_id, source) values (?, ?) on conflict do nothing', [
    orgId,
    source,
  ]);
}

/** Takes the source's lease for `owner`; false when another run holds it. */
export async function acquireLease(
  db: Knex,
  orgId: string,
  source: string,
  owner: string,
  instanceId: string | null = null,
): Promise<boolean> {
  await ensureRow(db, orgId, source);
  const result = await db('sync_state')
    .where({ org_id: orgId, source })
    .andWhere((q) =>
      q
        .whereNull('lease_until')
        .orWhere('lease_until', '<', db.fn.now())
        .orWhere('lease_owner', owner)
        .orWhere((dead) =>
          dead
            .whereNotNull('lease_instance')
            .andWhereRaw(`not ${instanceAlive('sync_state.lease_instance')}`),
        ),
    )
    .update({
      lease_owner: owner,
      lease_instance: instanceId,
      lease_until: db.raw(`now() + interval '${LEASE_SECONDS} seconds'`),
    });
  return affectedRows(result) === 1;
}

/** False when the lease is no longer ours (taken over after it expired). */
export async function renewLease(
  db: Knex,
  orgId: string,
  source: string,
  owner: string,
): Promise<boolean> {
  const result = await db('sync_state')
    .where({ org_id: orgId, source, lease_owner: owner })
    .update({ lease_until: db.raw(`now() + interval '${LEASE_SECONDS} seconds'`) });
  return affectedRows(result) === 1;
}

export async function releaseLease(
  db: Knex,
  orgId: string,
  source: string,
  owner: string,
): Promise<void> {
  await db('sync_state')
    .where({ org_id: orgId, source, lease_owner: owner })
    .update({ lease_owner: null, lease_instance: null, lease_until: null });
}

export async function readToken(db: Knex, orgId: string, source: string): Promise<string | null> {
  const row = await db('sync_state').where({ org_id: orgId, source }).first('token');
  return (row?.token as string | null | undefined) ?? null;
}

export async function saveToken(
  db: Knex,
  orgId: string,
  source: string,
  token: string | null,
): Promise<void> {
  await db('sync_state').where({ org_id: orgId, source }).update({ token });
}
