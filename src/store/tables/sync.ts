import type { Column, Table } from './column-types.ts';

// Directory sync: run records, the changes each run made, and per-source state.

export interface SyncRunRow {
  id: string;
  org_id: string;
  source: string;
  mode: 'full' | 'incremental';
  status: 'running' | 'succeeded' | 'failed' | 'held' | 'approved' | 'rejected';
  trigger: string;
  counts: Column<'sync_runs.counts', Record<string, number>>;
  samples: Column<'sync_runs.samples', Record<string, unknown>>;
  held: Column<'sync_runs.held', unknown[]> | null;
  error: string | null;
  token_before: string | null;
  token_after: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision: Column<'sync_runs.decision', Record<string, unknown>> | null;
  withheld: number;
  withheld_for: string | null;
  started_at: Date;
  finished_at: Date | null;
  instance_id: string | null;
}

export interface SyncChangeRow {
  id: number;
  run_id: string;
  action: string;
  login: string;
  external_id: string;
  detail: string | null;
  attributes: Column<'sync_changes.attributes', unknown> | null;
}

export interface SyncStateRow {
  org_id: string;
  source: string;
  token: string | null;
  lease_owner: string | null;
  lease_until: Date | null;
  lease_instance: string | null;
  failures: number;
  retry_after: Date | null;
  quarantined_at: Date | null;
  last_error: string | null;
  last_error_code: string | null;
  last_failure_at: Date | null;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    sync_runs: Table<SyncRunRow>;
    sync_changes: Table<SyncChangeRow>;
    sync_state: Table<SyncStateRow>;
  }
}
