import { rawRows } from '../store/raw-rows.ts';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Knex } from 'knex';
import { LimitError } from '../errors.ts';
import type { LicenseRoom } from '../licenses/license-grants.ts';
import { type LicenseShortfall, shortfallMessage } from '../licenses/license-rules.ts';
import { ImportFileError } from './file-reader.ts';
import type { RowOrIssue } from './import-rows.ts';
import { type ImportIssue, type RowPolicy, type ValidRow, validateRow } from './row-validation.ts';

// Validation of a whole file, streamed: rows are checked against the member rules, against the
// rows before them (duplicates in the file) and, a batch at a time, against the members already
// there. The same pass feeds the report (validate) and the writes (apply), so that what is
// applied is exactly what was validated.

const PLAN_BATCH = 5000;
/** Rows already present are named up to this many; `alreadyPresent` counts them all. */
const PRESENT_NAMED = 100;

export interface ImportReport {
  format: 'csv' | 'createusers';
  mode: string;
  separator: string | null;
  rows: number;
  /** The file's last line read, for progress. */
  lastLine: number;
  valid: number;
  invalid: number;
  /** Rows for members (or invitations) that already exist: nothing is created for them. */
  alreadyPresent: number;
  toCreate: number;
  /** The file as a whole cannot be read: nothing can be applied. */
  fileError: boolean;
  membershipLimit: { limit: number; count: number; adding: number } | null;
  /** Default licences the file's members would need beyond what the organization has available. */
  licenses?: LicenseShortfall[];
  issues: ImportIssue[];
}

export interface PlanContext {
  db: Knex;
  orgId: string;
  policy: RowPolicy;
  membershipLimit: number | null;
  memberCount: number;
  /** Given when validating: the default licences new members get are counted against what is left. */
  licenses?: LicenseRoom | undefined;
  /** Rows per batch (one look-up of existing members, one transaction on apply). */
  batchSize?: number | undefined;
  /**
   * False to leave rows for members out of the look-up of those already there: on apply, the
   * insert itself skips a username already taken. Invitations are always looked up.
   */
  lookUpMembers?: boolean;
}

export interface PlannedBatch {
  lastLine: number;
  rows: ValidRow[];
}

export function emptyReport(format: ImportReport['format'], mode: string): ImportReport {
  return {
    format,
    mode,
    separator: null,
    rows: 0,
    lastLine: 0,
    valid: 0,
    invalid: 0,
    alreadyPresent: 0,
    toCreate: 0,
    fileError: false,
    membershipLimit: null,
    issues: [],
  };
}

async function existingKeys(db: Knex, orgId: string, rows: ValidRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const keys = rows.map((r) => r.username.toLowerCase());
  const column = rows[0]!.invitation && rows[0]!.username === rows[0]!.email ? 'email' : 'username';
  const found = await rawRows<{ key: string }>(
    db,
    `select lower(${column}) as key from members where org_id = ? and lower(${column}) = any(?::text[])`,
    [orgId, keys],
  );
  return new Set(found.map((r) => r.key));
}

/**
 * Yields the rows to create, a batch at a time, and fills `report` as it goes. Invalid rows and
 * rows already present are counted and named in the report, never yielded.
 */
export async function* planImport(
  source: AsyncIterable<RowOrIssue>,
  ctx: PlanContext,
  report: ImportReport,
): AsyncGenerator<PlannedBatch> {
  const firstLineOf = new Map<string, number>();
  let pending: ValidRow[] = [];
  let lastLine = 0;
  const room = ctx.membershipLimit === null ? Infinity : ctx.membershipLimit - ctx.memberCount;
  // Invitations count their licences once accepted: only members added directly are counted here.
  const licenseDemand = new Map<string, number>();
  const countLicenses = (row: ValidRow) => {
    if (!ctx.licenses || row.invitation) return;
    for (const name of ctx.licenses.defaultsFor(row.userTypeId)) {
      const held = ctx.licenses.limited.get(name);
      if (!held) continue;
      const wanted = (licenseDemand.get(name) ?? 0) + 1;
      licenseDemand.set(name, wanted);
      if (held.inUse + wanted === held.quantity + 1)
        report.issues.push({
          line: row.line,
          field: null,
          severity: 'error',
          message: `from this row on the file needs more of the default licence ${name} than the organization has available (${Math.max(0, held.quantity - held.inUse)} of ${held.quantity})`,
        });
    }
  };

  async function* flush(): AsyncGenerator<PlannedBatch> {
    // Checking a batch is work in the daemon's thread: without a turn of the event loop per batch,
    // validating or applying a large file would keep it from reading any other request (progress
    // polls included).
    await yieldToEventLoop();
    const present = await existingKeys(
      ctx.db,
      ctx.orgId,
      ctx.lookUpMembers === false ? pending.filter((r) => r.invitation) : pending,
    );
    const rows: ValidRow[] = [];
    for (const row of pending) {
      if (present.has(row.username.toLowerCase())) {
        report.alreadyPresent++;
        // Re-importing a large file would otherwise repeat this for every row; the count says the rest.
        if (report.alreadyPresent <= PRESENT_NAMED) {
          report.issues.push({
            line: row.line,
            field: null,
            severity: 'warning',
            message: `${row.username} is already a member: nothing to create`,
          });
        }
        continue;
      }
      report.toCreate++;
      countLicenses(row);
      if (report.toCreate === room + 1) {
        const error = new LimitError(ctx.membershipLimit!, ctx.memberCount, 0);
        report.issues.push({
          line: row.line,
          field: null,
          severity: 'error',
          message: `from this row on the file exceeds the membership limit (${error.limit}; the organization has ${error.count} members)`,
        });
      }
      rows.push(row);
    }
    pending = [];
    yield { lastLine, rows };
  }

  try {
    for await (const item of source) {
      if ('issue' in item) {
        report.rows++;
        report.invalid++;
        report.issues.push(item.issue);
        lastLine = item.issue.line ?? lastLine;
        continue;
      }
      report.rows++;
      lastLine = item.row.line;
      const outcome = validateRow(item.row, ctx.policy);
      if (!outcome.ok) {
        report.invalid++;
        report.issues.push(...outcome.issues);
        continue;
      }
      report.issues.push(...outcome.warnings);
      const key = outcome.row.username.toLowerCase();
      const first = firstLineOf.get(key);
      if (first !== undefined) {
        report.invalid++;
        report.issues.push({
          line: item.row.line,
          field: outcome.row.invitation ? 'Email' : 'Username',
          severity: 'error',
          message: `${outcome.row.username} appears twice in the file (first on line ${first})`,
        });
        continue;
      }
      firstLineOf.set(key, item.row.line);
      report.valid++;
      pending.push(outcome.row);
      if (pending.length >= (ctx.batchSize ?? PLAN_BATCH)) yield* flush();
    }
    if (pending.length > 0) yield* flush();
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw error;
    report.fileError = true;
    report.issues.push({
      line: error.line,
      field: null,
      severity: 'error',
      message: error.message,
    });
  }
  report.lastLine = lastLine;
  const short = [...licenseDemand].flatMap(([name, adding]) => {
    const held = ctx.licenses!.limited.get(name)!;
    return held.inUse + adding > held.quantity
      ? [{ license: name, quantity: held.quantity, inUse: held.inUse, adding }]
      : [];
  });
  if (short.length > 0) report.licenses = short;
  if (report.toCreate > room)
    report.membershipLimit = {
      limit: ctx.membershipLimit!,
      count: ctx.memberCount,
      adding: report.toCreate,
    };
}

export function blockingErrors(report: ImportReport, skipInvalid: boolean): string | null {
  if (report.fileError) return 'the file cannot be imported: see the report';
  if (report.membershipLimit) {
    const { limit, count, adding } = report.membershipLimit;
    return new LimitError(limit, count, adding).message;
  }
  if (report.licenses && report.licenses.length > 0)
    return report.licenses.map(shortfallMessage).join('; ');
  if (report.invalid > 0 && !skipInvalid)
    return `${report.invalid === 1 ? '1 row is' : `${report.invalid} rows are`} not valid: correct the file and validate it again, or apply with --skip-invalid (skipInvalid) to leave them out`;
  return null;
}
