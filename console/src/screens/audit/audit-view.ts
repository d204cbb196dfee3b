import type { AuditRecord } from '../../api/admin-types.ts';

// How the audit screen reads its filters and names a target.

export const AUDIT_FILTERS = [
  'actor',
  'action',
  'targetType',
  'targetId',
  'since',
  'until',
] as const;
export type AuditFilters = Record<(typeof AUDIT_FILTERS)[number], string>;

/** An ISO instant as a datetime-local input shows it (the browser's time zone). */
export function toDateTimeLocal(iso: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** A datetime-local value as the instant the API filters on. */
export function fromDateTimeLocal(local: string): string {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

function recorded(record: AuditRecord, key: string): string | undefined {
  for (const side of [record.after, record.before]) {
    if (!side || typeof side !== 'object') continue;
    const value = (side as Record<string, unknown>)[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** The target's name as the entry recorded it (after the change, else before), or its id. */
export function targetLabel(record: AuditRecord): string {
  const keys = record.target.type === 'member' ? ['username', 'email'] : ['name', 'title', 'email'];
  for (const key of keys) {
    const value = recorded(record, key);
    if (value) return value;
  }
  return record.target.id ?? '—';
}

/** The member a change of another target was about (one added to a group, for one). */
export function memberOf(record: AuditRecord): string {
  return record.target.type === 'member' ? '' : (recorded(record, 'username') ?? '');
}

const SCREENS: Record<string, string> = { member: '/members', group: '/groups' };

/** The console screen of the target, for the kinds of target that have one. */
export function targetHref(record: AuditRecord): string | undefined {
  const screen = SCREENS[record.target.type];
  return screen && record.target.id ? `${screen}/${record.target.id}` : undefined;
}
