import { rawRows } from '../store/raw-rows.ts';
import { appendFileSync } from 'node:fs';
import type { Knex } from 'knex';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { affectedRows } from '../store/affected-rows.ts';

// Retention: what grows with use and is only history is deleted once older than configured, in
// bounded batches (one short statement each, so that neither database is held for long). Each
// kind of history is a rule; a module with a history table of its own adds its rule with
// `addRetentionRule` (its owner decides what may go). The audit log is kept unless configured,
// and may be appended to a file (JSON lines) before it is deleted.

export interface RetentionRule {
  /** The key under `retention` in the configuration, and the metric label. */
  kind: string;
  table: string;
  /** SQL true for a row past `cutoff` (the first binding) that may go. */
  expired: string;
  /** Days kept when not configured; null keeps everything. */
  defaultDays: number | null;
}

const rules: RetentionRule[] = [
  {
    kind: 'sessions',
    table: 'sessions',
    expired: 'expires_at < ?',
    defaultDays: 7,
  },
  {
    kind: 'signInFlows',
    table: 'sign_in_flows',
    expired: 'expires_at < ?',
    defaultDays: 1,
  },
  {
    kind: 'syncRuns',
    table: 'sync_runs',
    // A held run waits for a decision: never removed while it does.
    expired: "finished_at < ? and status <> 'held'",
    defaultDays: 90,
  },
  {
    kind: 'importRuns',
    table: 'import_runs',
    // Its chunks go with it (on delete cascade).
    expired: "updated_at < ? and status in ('applied', 'failed', 'validated')",
    defaultDays: 30,
  },
  {
    kind: 'sentMail',
    table: 'mail_outbox',
    expired: "status in ('sent', 'failed') and coalesce(sent_at, created_at) < ?",
    defaultDays: 30,
  },
  {
    kind: 'scimLog',
    table: 'scim_provisioning_log',
    expired: 'at < ?',
    // scim.logRetentionDays sets it too (src/daemon/housekeeping.ts).
    defaultDays: 90,
  },
  {
    kind: 'audit',
    table: 'audit_log',
    expired: 'at < ?',
    defaultDays: null,
  },
];

/** Adds a history table to retention; its `kind` becomes a key under `retention`. */
export function addRetentionRule(rule: RetentionRule): void {
  if (rules.some((r) => r.kind === rule.kind))
    throw new Error(`a retention rule for ${rule.kind} exists already`);
  rules.push(rule);
}

export function retentionRules(): readonly RetentionRule[] {
  return rules;
}

export interface RetentionSettings {
  batchSize: number;
  /** Days per kind; null keeps everything; a missing kind takes its rule's default. */
  days: Record<string, number | null | undefined>;
  /** Audit entries are appended here (JSON lines) before they are deleted. */
  auditArchive?: string | undefined;
}

/** One pass: every rule, batch after batch, until nothing is left to prune. */
export async function pruneHistory(
  db: Knex,
  settings: RetentionSettings,
  log: Logger,
  metrics?: Metrics,
  now = new Date(),
): Promise<Record<string, number>> {
  const pruned: Record<string, number> = {};
  for (const rule of rules) {
    const days =
      settings.days[rule.kind] === undefined ? rule.defaultDays : settings.days[rule.kind];
    if (days === null || days === undefined) continue;
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    let total = 0;
    for (;;) {
      const n = await db.transaction(async (trx) => {
        const victims = `select ctid from ?? where ${rule.expired} limit ${settings.batchSize}`;
        if (rule.kind === 'audit' && settings.auditArchive) {
          const rows = await rawRows<{ r: unknown }>(
            trx,
            `delete from ?? where ctid in (${victims}) returning row_to_json(??) as r`,
            [rule.table, rule.table, cutoff, rule.table],
          );
          if (rows.length > 0)
            appendFileSync(
              settings.auditArchive,
              rows.map((r) => `${JSON.stringify(r.r)}\n`).join(''),
              {
                mode: 0o600,
              },
            );
          return rows.length;
        }
        return affectedRows(
          await trx.raw(`delete from ?? where ctid in (${victims})`, [
            rule.table,
            rule.table,
            cutoff,
          ]),
        );
      });
      total += n;
      if (n < settings.batchSize) break;
    }
    pruned[rule.kind] = total;
    if (total > 0) {
      metrics?.retentionPruned.inc({ kind: rule.kind }, total);
      log.info({ kind: rule.kind, pruned: total, olderThanDays: days }, 'history pruned');
    }
  }
  return pruned;
}
