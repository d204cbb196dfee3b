import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import test from 'ava';
import {
  disagreeing,
  linkKeyId,
  liveInstances,
  registerInstance,
} from '../../src/cluster/instances.ts';
import { configSchema } from '../../src/config/config-schema.ts';
import { createInvitations } from '../../src/invitations/invitation-create.ts';
import { uploadImport } from '../../src/import/import-service.ts';
import { failOrphanedImports, startApply } from '../../src/import/import-apply-run.ts';
import { deliverDue } from '../../src/mail/delivery.ts';
import { createMailTransport } from '../../src/mail/transport.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { acquireLease } from '../../src/sync/sync-state.ts';
import { createRun, failOrphanedRuns } from '../../src/sync/sync-runs.ts';
import { eachDatabase } from '../helpers/databases.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// A process that dies (kill -9) leaves its leases behind. Each names the process's instance, and
// an instance is alive only while it holds its advisory lock: a dead one's sync lease, mail and
// running runs are taken over or failed at once, while a live one's are left alone.

const log = createLogger('silent', 'stderr');
let sink: SmtpSink;
test.before(async () => {
  sink = await startSmtpSink();
});
test.after.always(async () => {
  await sink?.close();
});

eachDatabase((kind, fixture) => {
  /** An instance row whose lock nobody holds: what a killed process leaves. */
  const deadInstance = async () => {
    const id = randomUUID();
    await fixture()
      .database.knex('instances')
      .insert({
        id,
        kind: 'daemon',
        host: 'gone.example',
        pid: 1,
        lock_key: randomInt(1, 2 ** 31 - 1),
        link_key_id: 'aaaaaaaaaaaaaaaa',
      });
    return id;
  };

  test.serial(
    `[${kind}] a dead process's sync lease is taken at once, a live one's is not`,
    async (t) => {
      const f = fixture();
      const db = f.database.knex;
      const scope = await f.newOrg();
      const live = await registerInstance(db, { kind: 'daemon', linkKeyId: 'k1', log });
      try {
        t.true(await acquireLease(db, scope.orgId, 'dir', 'run-a', live.id));
        const running = await createRun(db, scope.orgId, {
          source: 'dir',
          mode: 'full',
          trigger: 'schedule',
          tokenBefore: null,
          instanceId: live.id,
        });
        t.false(
          await acquireLease(db, scope.orgId, 'dir', 'run-b', null),
          'a live holder keeps it',
        );
        t.is(await failOrphanedRuns(db), 0);
        t.is((await db('sync_runs').where('id', running).first())!.status, 'running');

        const dead = await deadInstance();
        const other = await f.newOrg();
        t.true(await acquireLease(db, other.orgId, 'dir', 'run-c', dead));
        const orphan = await createRun(db, other.orgId, {
          source: 'dir',
          mode: 'full',
          trigger: 'schedule',
          tokenBefore: null,
          instanceId: dead,
        });
        // The lease of a dead process is free now, not in five minutes.
        t.true(await acquireLease(db, other.orgId, 'dir', 'run-d', live.id));
        t.is(await failOrphanedRuns(db), 1);
        t.like(await db('sync_runs').where('id', orphan).first(), {
          status: 'failed',
          error: 'interrupted: the process running it stopped before it finished',
        });
        t.is((await db('sync_runs').where('id', running).first())!.status, 'running');
      } finally {
        await live.close();
      }
    },
  );

  test.serial(`[${kind}] mail claimed by a dead process is sent at once, once`, async (t) => {
    const f = fixture();
    const db = f.database.knex;
    const scope = await f.newOrg();
    const email = `lease-${kind}-${randomUUID()}@example.org`;
    await createInvitations(
      { ...f.deps, publicUrl: 'https://id.example.test', sources: () => [] },
      scope,
      { email },
    );
    const dead = await deadInstance();
    // Claimed by the dead process a moment ago: its lease would run for minutes.
    await db('mail_outbox')
      .where({ org_id: scope.orgId, status: 'queued' })
      .update({ claimed_by: dead, next_attempt_at: new Date(Date.now() + 300_000) });
    const transport = createMailTransport(
      configSchema.parse({ mail: { smtp: { host: '127.0.0.1', port: sink.port } } }),
    );
    const live = await registerInstance(db, { kind: 'daemon', linkKeyId: 'k1', log });
    try {
      const options = { from: 'p <p@example.test>', maxAttempts: 3, retryBaseSeconds: 60 };
      const before = sink.messages.length;
      await deliverDue(
        db,
        transport,
        { ...options, instanceId: live.id, links: f.deps.links },
        log,
      );
      await deliverDue(
        db,
        transport,
        { ...options, instanceId: live.id, links: f.deps.links },
        log,
      );
      const to = sink.messages.slice(before).filter((m) => m.to.includes(email));
      t.is(to.length, 1);
      t.like(await db('mail_outbox').where('org_id', scope.orgId).first(), {
        status: 'sent',
        claimed_by: null,
      });
    } finally {
      transport.close();
      await live.close();
    }
  });

  test.serial(`[${kind}] an import left applying by a dead process resumes at once`, async (t) => {
    const f = fixture();
    const db = f.database.knex;
    const scope = await f.newOrg();
    const deps = {
      db,
      hasher: f.deps.hasher,
      links: f.deps.links,
      publicUrl: 'https://id.example.test',
      sources: () => [],
    };
    const csv = readFileSync('test/fixtures/import/add.csv');
    const run = await uploadImport(
      deps,
      scope,
      { mode: 'add' },
      (async function* () {
        yield csv;
      })(),
    );
    const dead = await deadInstance();
    // What a daemon killed in the middle of applying leaves: applying, touched a moment ago.
    await db('import_runs')
      .where('id', run.id)
      .update({ status: 'applying', instance_id: dead, updated_at: db.fn.now() });
    t.is(await failOrphanedImports(db), 1);
    t.like(await db('import_runs').where('id', run.id).first(), {
      status: 'failed',
      error: 'interrupted: the process applying it stopped; apply it again to resume',
    });
    await db('import_runs')
      .where('id', run.id)
      .update({ status: 'applying', instance_id: dead, updated_at: db.fn.now() });
    // Even before housekeeping marks it, applying it again takes it over.
    const { done } = await startApply(deps, scope, run.id, {});
    t.is((await done).status, 'applied');
  });

  test.serial(`[${kind}] live instances are listed; a different link key is found`, async (t) => {
    const db = fixture().database.knex;
    const a = await registerInstance(db, { kind: 'daemon', linkKeyId: 'same', log });
    try {
      await deadInstance();
      const peers = await liveInstances(db);
      t.true(peers.some((p) => p.id === a.id));
      t.false(
        peers.some((p) => p.host === 'gone.example'),
        'a dead instance is not live',
      );
      t.deepEqual(disagreeing(peers, 'same', 'me'), []);
      t.is(disagreeing(peers, 'other', 'me').length, 1);
      await t.throwsAsync(registerInstance(db, { kind: 'daemon', linkKeyId: 'other', log }), {
        message:
          /different key: give every daemon sharing the database the same invitations\.linkKey/,
      });
    } finally {
      await a.close();
    }
    t.false(
      (await liveInstances(db)).some((p) => p.id === a.id),
      'closed means gone',
    );
  });
});

test('the link key fingerprint is stable and reveals nothing of the key', (t) => {
  const key = Buffer.alloc(32, 7);
  t.is(linkKeyId(key), linkKeyId(Buffer.alloc(32, 7)));
  t.not(linkKeyId(key), linkKeyId(Buffer.alloc(32, 8)));
  t.false(linkKeyId(key).includes(key.toString('hex').slice(0, 8)));
});
