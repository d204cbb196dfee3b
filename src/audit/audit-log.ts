import type { Knex } from 'knex';
import type { Actor } from '../access/actor.ts';
import { type Cte, existsIn } from '../store/one-statement.ts';

// Every change writes an entry in the same transaction as the change itself.

export interface AuditEntry {
  orgId: string | null;
  actor: Actor;
  action: string;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(trx: Knex.Transaction, entry: AuditEntry): Promise<void> {
  await trx('audit_log').insert(auditRow(entry));
}

/**
 * Entries as a part of a larger statement (see one-statement.ts), written in their order, only if
 * `gate` wrote.
 */
export function auditCte(name: string, entries: readonly AuditEntry[], gate?: string): Cte {
  const rows = entries.map(auditRow);
  return {
    name,
    sql: `insert into audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, before, after)
      select * from (values ${rows.map(() => '(?::uuid, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)').join(', ')}) as entry${gate === undefined ? '' : ` where ${existsIn(gate)}`}`,
    bindings: rows.flatMap((row) => [
      row.org_id,
      row.actor_type,
      row.actor_id,
      row.actor_label,
      row.action,
      row.target_type,
      row.target_id,
      row.before,
      row.after,
    ]),
  };
}

function auditRow(entry: AuditEntry) {
  return {
    org_id: entry.orgId,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    actor_label: entry.actor.label,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
  };
}

export interface AuditQuery {
  action?: string | undefined;
  targetId?: string | undefined;
  actorId?: string | undefined;
  /** The actor's id or name (username, key title), case-insensitive. */
  actor?: string | undefined;
  targetType?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
  offset: number;
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: { type: string; id: string | null; label: string };
  action: string;
  target: { type: string; id: string | null };
  before: unknown;
  after: unknown;
}

export async function listAudit(
  db: Knex,
  orgId: string,
  query: AuditQuery,
): Promise<{ items: AuditRecord[]; total: number }> {
  const base = db('audit_log').where('org_id', orgId);
  if (query.action) base.andWhere('action', query.action);
  if (query.targetId) base.andWhere('target_id', query.targetId);
  if (query.actorId) base.andWhere('actor_id', query.actorId);
  if (query.actor)
    base.andWhere((w) =>
      w.where('actor_id', query.actor!).orWhereRaw('lower(actor_label) = lower(?)', [query.actor!]),
    );
  if (query.targetType) base.andWhere('target_type', query.targetType);
  if (query.since) base.andWhere('at', '>=', query.since);
  if (query.until) base.andWhere('at', '<', query.until);
  const [rows, counted] = await Promise.all([
    base.clone().orderBy('id', 'desc').limit(query.limit).offset(query.offset).select('*'),
    base.clone().count<{ count: number }[]>({ count: '*' }),
  ]);
  return {
    total: Number(counted[0]?.count ?? 0),
    items: rows.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at).toISOString(),
      actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
      action: r.action,
      target: { type: r.target_type, id: r.target_id },
      before: r.before,
      after: r.after,
    })),
  };
}
