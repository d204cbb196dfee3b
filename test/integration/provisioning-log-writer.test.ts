import { randomUUID } from 'node:crypto';
import test from 'ava';
import type { Knex } from 'knex';
import type { ProvisioningEntry } from '../../src/scim/provisioning-log.ts';
import { provisioningLogWriter } from '../../src/scim/provisioning-log-writer.ts';
import { eachDatabase } from '../helpers/databases.ts';

// The provisioning log's writer: entries answered while an insert is on its way go together in the
// next one, none is lost, one entry that cannot be written does not take the others with it, and
// drain waits for all of them (the daemon drains before it closes the database).

const entry = (orgId: string, n: number): ProvisioningEntry => ({
  orgId,
  keyId: null,
  keyTitle: 'writer test',
  method: 'PATCH',
  operation: 'update',
  resourceType: 'User',
  targetId: `user-${n}`,
  status: 200,
  attributes: ['title'],
  detail: null,
});

function countInserts(knex: Knex): { count(): number; stop(): void } {
  let inserts = 0;
  const listener = (query: { sql: string }) => {
    if (/^insert into "scim_provisioning_log"/.test(query.sql)) inserts += 1;
  };
  knex.on('query', listener);
  return { count: () => inserts, stop: () => knex.off('query', listener) };
}

async function targetsOf(knex: Knex, orgId: string): Promise<string[]> {
  const rows = await knex('scim_provisioning_log')
    .where('org_id', orgId)
    .whereNull('bulk_entry_id')
    .select('target_id');
  return rows.map((r) => r.target_id as string).sort();
}

eachDatabase((kind, fixture) => {
  test.serial(`[${kind}] entries answered during an insert go together in the next`, async (t) => {
    const { database, newOrg } = fixture();
    const { orgId } = await newOrg();
    const errors: unknown[] = [];
    const writer = provisioningLogWriter(database.knex, (error) => errors.push(error));
    const inserts = countInserts(database.knex);
    try {
      for (let n = 0; n < 120; n++) writer.record(entry(orgId, n));
      await writer.drain();
    } finally {
      inserts.stop();
    }
    t.deepEqual(errors, []);
    t.deepEqual(
      await targetsOf(database.knex, orgId),
      Array.from({ length: 120 }, (_, n) => `user-${n}`).sort(),
    );
    // The first is written at once, alone; the 119 queued behind it in one insert.
    t.is(inserts.count(), 2);
  });

  test.serial(
    `[${kind}] an entry that cannot be written is reported, the others are written`,
    async (t) => {
      const { database, newOrg } = fixture();
      const { orgId } = await newOrg();
      const lost: ProvisioningEntry[] = [];
      const writer = provisioningLogWriter(database.knex, (_error, e) => lost.push(e));
      writer.record(entry(orgId, 0));
      writer.record(entry(orgId, 1));
      const orphan = { ...entry(randomUUID(), 2), targetId: 'no-such-organization' };
      writer.record(orphan);
      writer.record(entry(orgId, 3));
      await writer.drain();
      t.deepEqual(lost, [orphan]);
      t.deepEqual(await targetsOf(database.knex, orgId), ['user-0', 'user-1', 'user-3']);
    },
  );

  test.serial(`[${kind}] a Bulk request is written with its operations, and drained`, async (t) => {
    const { database, newOrg } = fixture();
    const { orgId } = await newOrg();
    const errors: unknown[] = [];
    const writer = provisioningLogWriter(database.knex, (error) => errors.push(error));
    writer.record(
      {
        ...entry(orgId, 0),
        method: 'POST',
        operation: 'bulk',
        resourceType: 'Bulk',
        targetId: null,
      },
      [
        { ...entry(orgId, 1), path: '/Users', bulkId: 'b1' },
        { ...entry(orgId, 2), path: '/Users', bulkId: 'b2' },
      ],
    );
    writer.record(entry(orgId, 3));
    await writer.drain();
    t.deepEqual(errors, []);
    const rows = await database
      .knex('scim_provisioning_log')
      .where('org_id', orgId)
      .select('id', 'operation', 'bulk_entry_id', 'bulk_id');
    const bulk = rows.find((r) => r.operation === 'bulk');
    t.truthy(bulk);
    t.deepEqual(
      rows
        .filter((r) => r.bulk_entry_id !== null)
        .map((r) => [Number(r.bulk_entry_id), r.bulk_id])
        .sort(),
      [
        [Number(bulk!.id), 'b1'],
        [Number(bulk!.id), 'b2'],
      ],
    );
    t.is(rows.length, 4);
  });
});
