import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { createLogger } from '../../src/observability/logger.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { addRetentionRule, pruneHistory, retentionRules } from '../../src/retention/retention.ts';
import { tempDir } from '../helpers/daemon.ts';
import { eachDatabase } from '../helpers/databases.ts';

// Old history goes in bounded batches, recent history and what still matters (a held run) stay,
// the audit log stays unless configured and can be archived to a file first, and what was pruned
// is counted in the metrics.

const log = createLogger('silent', 'stderr');
const DAY = 86_400_000;

eachDatabase((kind, fixture) => {
  test.serial(`[${kind}] retention prunes old history in batches and keeps the rest`, async (t) => {
    const f = fixture();
    const db = f.database.knex;
    const scope = await f.newOrg();
    const now = new Date();
    const old = new Date(now.getTime() - 100 * DAY);
    const recent = new Date(now.getTime() - 1 * DAY);
    const run = (status: string, finished: Date) => ({
      org_id: scope.orgId,
      source: 'dir',
      mode: 'full',
      trigger: 'schedule',
      status,
      started_at: finished,
      finished_at: finished,
    });
    await db('sync_runs').insert([
      ...Array.from({ length: 5 }, () => run('succeeded', old)),
      run('held', old),
      run('succeeded', recent),
    ]);
    const mail = (status: string, at: Date) => ({
      org_id: scope.orgId,
      recipient: 'x@example.org',
      template: 'invitation',
      language: 'en',
      status,
      created_at: at,
      sent_at: status === 'sent' ? at : null,
    });
    await db('mail_outbox').insert([
      mail('sent', old),
      mail('sent', old),
      mail('queued', old),
      mail('sent', recent),
    ]);
    const audit = (at: Date) => ({
      org_id: scope.orgId,
      at,
      actor_type: 'system',
      actor_label: 'test',
      action: 'retention.test',
      target_type: 'organization',
      target_id: scope.orgId,
    });
    await db('audit_log').insert([audit(old), audit(old), audit(old), audit(recent)]);
    const scimWrite = (at: Date) => ({
      org_id: scope.orgId,
      at,
      method: 'POST',
      operation: 'create',
      resource_type: 'User',
      status: 201,
    });
    await db('scim_provisioning_log').insert([scimWrite(old), scimWrite(old), scimWrite(recent)]);
    const count = async (table: string) =>
      Number(
        (
          await db(table)
            .where('org_id', scope.orgId)
            .modify((q) => {
              // The organization's own creation is audited too; count the planted entries.
              if (table === 'audit_log') q.where('action', 'retention.test');
            })
            .count({ n: '*' })
        )[0]?.n,
      );

    const metrics = new Metrics();
    const defaults = await pruneHistory(db, { batchSize: 2, days: {} }, log, metrics, now);
    t.true(defaults.syncRuns! >= 5);
    t.is(await count('sync_runs'), 2, 'the held run and the recent one stay');
    t.is(await count('mail_outbox'), 2, 'queued mail and recent mail stay');
    t.is(await count('audit_log'), 4, 'the audit log is kept unless configured');
    t.is(await count('scim_provisioning_log'), 1, 'the SCIM log keeps 90 days by default');
    t.regex(
      await metrics.registry.getSingleMetricAsString('provisiond_retention_pruned_total'),
      /kind="syncRuns"} \d+/,
    );

    const archive = path.join(tempDir(), 'audit.jsonl');
    const pruned = await pruneHistory(
      db,
      { batchSize: 2, days: { audit: 30, syncRuns: null }, auditArchive: archive },
      log,
      metrics,
      now,
    );
    t.true(pruned.audit! >= 3);
    t.is(await count('audit_log'), 1);
    const archived = readFileSync(archive, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.org_id === scope.orgId);
    t.is(archived.length, 3);
    t.is(archived[0].action, 'retention.test');
  });
});

test('other modules add their history table to retention', (t) => {
  const before = retentionRules().length;
  addRetentionRule({
    kind: 'exampleLog',
    table: 'example_log',
    expired: 'at < ?',
    defaultDays: 30,
  });
  t.is(retentionRules().length, before + 1);
  t.throws(() =>
    addRetentionRule({ kind: 'exampleLog', table: 'x', expired: 'at < ?', defaultDays: 1 }),
  );
});
