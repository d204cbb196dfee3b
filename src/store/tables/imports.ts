import type { Column, Table } from './column-types.ts';

// Import runs and the sealed chunks of the files they read.

export interface ImportRunRow {
  id: string;
  org_id: string;
  format: 'csv' | 'createusers';
  mode: Column<'import_runs.mode', string>;
  options: Column<'import_runs.options', Record<string, unknown>>;
  file_name: string | null;
  file_sha256: string;
  file_bytes: number;
  status: 'validated' | 'applying' | 'applied' | 'failed';
  report: Column<'import_runs.report', Record<string, unknown>>;
  rows_to_create: number;
  applied_through_line: number;
  created: number;
  already_present: number;
  error: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  applied_at: Date | null;
  instance_id: string | null;
}

export interface ImportChunkRow {
  run_id: string;
  seq: number;
  data: Uint8Array;
  sealed: boolean;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    import_runs: Table<ImportRunRow>;
    import_chunks: Table<ImportChunkRow>;
  }
}
