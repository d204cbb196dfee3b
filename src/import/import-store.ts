import { createHash } from 'node:crypto';
import type { ImportRunRow } from '../store/tables/imports.ts';
import type { Knex } from 'knex';
import { NotFoundError, UnavailableError, ValidationError } from '../errors.ts';
import type { ImportReport } from './import-plan.ts';

// Import runs and their files. The file is kept in chunks of at most CHUNK bytes, written as it
// arrives and read back one chunk at a time, so that neither the upload nor a later apply holds
// the whole file in memory.

const CHUNK = 1 << 20;
/** 100,000 rows are about 10 MiB; this leaves room and still bounds what one upload can store. */
const MAX_FILE_BYTES = 256 * CHUNK;

type RunStatus = 'validated' | 'applying' | 'applied' | 'failed';

export interface ImportRun {
  id: string;
  format: 'csv' | 'createusers';
  mode: string;
  options: {
    defaultEmail?: string;
    skipInvalid?: boolean;
    language?: 'en' | 'fr' | 'de';
    message?: string;
    /** The SAML or OIDC source the org-id rows link to. */
    source?: string;
  };
  fileName: string | null;
  fileSha256: string;
  fileBytes: number;
  status: RunStatus;
  report: ImportReport;
  progress: { appliedThroughLine: number; lastLine: number };
  created: number;
  alreadyPresent: number;
  error: string | null;
  createdBy: string;
  createdAt: string;
  appliedAt: string | null;
  /** An earlier run of the same file in the same mode that was applied, if any. */
  previousApply?: { id: string; appliedAt: string | null; created: number } | null;
}

// The shapes of the run record's jsonb columns, written here.
declare module '../store/tables/column-types.ts' {
  interface ColumnTypes {
    'import_runs.options': ImportRun['options'];
    'import_runs.report': ImportReport;
  }
}

export function toRun(row: ImportRunRow): ImportRun {
  return {
    id: row.id,
    format: row.format,
    mode: row.mode,
    options: row.options,
    fileName: row.file_name,
    fileSha256: row.file_sha256,
    fileBytes: Number(row.file_bytes),
    status: row.status,
    report: row.report,
    progress: { appliedThroughLine: row.applied_through_line, lastLine: row.report.lastLine ?? 0 },
    created: row.created,
    alreadyPresent: row.already_present,
    error: row.error,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    appliedAt: row.applied_at ? new Date(row.applied_at).toISOString() : null,
  };
}

export async function findRunRow(
  db: Knex | Knex.Transaction,
  orgId: string,
  id: string,
): Promise<ImportRunRow> {
  const row = /^[0-9a-f-]{36}$/i.test(id)
    ? await db('import_runs').where({ org_id: orgId, id }).first()
    : undefined;
  if (!row) throw new NotFoundError('import', id);
  return row;
}

/** Seals and opens the stored chunks: a file's password column is not readable at rest. */
interface ChunkSealer {
  sealBytes(data: Uint8Array): Buffer;
  openBytes(sealed: Uint8Array): Buffer | null;
}

/**
 * Stores the body chunk by chunk as it arrives, each sealed (AES-256-GCM under the key outside
 * the database); returns its size and SHA-256.
 */
export async function storeChunks(
  db: Knex,
  runId: string,
  body: AsyncIterable<Uint8Array>,
  sealer: ChunkSealer,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let seq = 0;
  let buffered: Buffer[] = [];
  let size = 0;
  const write = async () => {
    if (size === 0) return;
    await db('import_chunks').insert({
      run_id: runId,
      seq: seq++,
      data: sealer.sealBytes(Buffer.concat(buffered, size)),
      sealed: true,
    });
    buffered = [];
    size = 0;
  };
  for await (const chunk of body) {
    const buffer = Buffer.from(chunk);
    hash.update(buffer);
    bytes += buffer.length;
    if (bytes > MAX_FILE_BYTES)
      throw ValidationError.field(
        'body',
        `the file is larger than ${MAX_FILE_BYTES / CHUNK} MiB; split it`,
      );
    buffered.push(buffer);
    size += buffer.length;
    if (size >= CHUNK) await write();
  }
  await write();
  return { bytes, sha256: hash.digest('hex') };
}

export async function* storedChunks(
  db: Knex,
  runId: string,
  sealer: ChunkSealer,
): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const row = (await db('import_chunks').where({ run_id: runId, seq }).first('data', 'sealed')) as
      | { data: Uint8Array; sealed: boolean }
      | undefined;
    if (!row) return;
    if (!row.sealed) {
      // Uploaded before files were sealed.
      yield row.data;
      continue;
    }
    const data = sealer.openBytes(row.data);
    if (!data)
      throw new UnavailableError(
        'the stored import file was sealed under another key (invitations.linkKey); upload it again',
      );
    yield data;
  }
}

/** An applied file is not kept: its rows (and passwords) are in the members now, hashed. */
export async function dropChunks(db: Knex | Knex.Transaction, runId: string): Promise<void> {
  await db('import_chunks').where('run_id', runId).delete();
}

export async function previousApply(
  db: Knex,
  orgId: string,
  run: Pick<ImportRunRow, 'id' | 'file_sha256' | 'mode'>,
): Promise<ImportRun['previousApply']> {
  const row = (await db('import_runs')
    .where({ org_id: orgId, file_sha256: run.file_sha256, mode: run.mode, status: 'applied' })
    .whereNot('id', run.id)
    .orderBy('applied_at', 'desc')
    .first('id', 'applied_at', 'created')) as
    | { id: string; applied_at: Date | null; created: number }
    | undefined;
  return row
    ? {
        id: row.id,
        appliedAt: row.applied_at ? new Date(row.applied_at).toISOString() : null,
        created: row.created,
      }
    : null;
}
