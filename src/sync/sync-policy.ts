import { isLdapSource } from '../config/config-schema.ts';
import type { SourceConfig } from '../plugin-api.ts';
import { DEFAULT_HEALTH, type HealthPolicy } from './source-health.ts';

// What the engine needs of a source's configuration, with the defaults of sources that do not
// say (the deletion guard 10% / 500, disable on deletion, correlate by username, no re-invitation).

export interface RoleRule {
  group: string;
  role?: string | undefined;
  userType?: string | undefined;
}

export interface SyncPolicy {
  source: string;
  correlate: Array<'username' | 'email'>;
  onUnmatched: 'create' | 'invite' | 'ignore';
  reinviteAfterExpiry: boolean;
  onDeleted: 'disable' | 'delete' | 'ignore';
  roleRules: RoleRule[];
  groupNames: Record<string, string>;
  guard: { percent: number; max: number };
  health: HealthPolicy;
}

export function policyOf(entry: SourceConfig): SyncPolicy {
  if (isLdapSource(entry)) {
    return {
      source: entry.name,
      correlate: entry.correlate,
      onUnmatched: entry.onUnmatched,
      reinviteAfterExpiry: entry.reinviteAfterExpiry,
      onDeleted: entry.onDeleted,
      roleRules: entry.roleRules,
      groupNames: entry.groupNames,
      guard: entry.deletionGuard,
      health: entry.health,
    };
  }
  return {
    source: entry.name,
    correlate: ['username'],
    onUnmatched: 'create',
    reinviteAfterExpiry: false,
    onDeleted: 'disable',
    roleRules: [],
    groupNames: {},
    guard: { percent: 10, max: 500 },
    health: DEFAULT_HEALTH,
  };
}
