import type { ProvisionReport } from '../../sync/one-record.ts';
import type { SyncRun } from '../../sync/sync-runs.ts';
import { COUNT_KEYS } from '../../sync/sync-types.ts';
import { type Column, printRecord, printTable } from '../output.ts';
import { counted } from '../../counted.ts';

// How a sync run reads in a terminal: its status, the non-zero counts, and for a preview or a
// held run the first changes of each kind.

export const runColumns: Column<SyncRun>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'source', value: (r) => r.source },
  { header: 'mode', value: (r) => r.mode },
  { header: 'status', value: (r) => r.status },
  { header: 'started', value: (r) => r.startedAt },
  {
    header: 'seconds',
    value: (r) => (r.durationMs === null ? '' : (r.durationMs / 1000).toFixed(1)),
  },
  { header: 'changes', value: (r) => summary(r) },
];

function summary(run: SyncRun): string {
  return (
    COUNT_KEYS.filter((k) => k !== 'unchanged' && run.counts[k] > 0)
      .map((k) => `${k} ${run.counts[k]}`)
      .join(', ') || 'none'
  );
}

function heldLine(run: SyncRun): string {
  const held = `${counted(run.held, 'member')} to disable or delete`;
  if (run.id === null)
    return `${held}: more than the deletion guard allows; a real run would hold them for an administrator's approval`;
  if (run.status !== 'held') return `${held}, held for an administrator's decision`;
  return `${held}, waiting for "provisiond sync approve ${run.id}" or "provisiond sync reject ${run.id}"`;
}

export function printRun(run: SyncRun): void {
  printRecord({
    run: run.id ?? '(preview: nothing written)',
    source: run.source,
    mode: run.mode,
    status: run.status,
    started: run.startedAt,
    seconds: run.durationMs === null ? '' : (run.durationMs / 1000).toFixed(2),
    ...(run.error && { error: run.error }),
    ...(run.held > 0 && { held: heldLine(run) }),
    ...(run.withheld > 0 && {
      withheld: `${counted(run.withheld, 'removal')} not applied: run ${run.withheldFor} is held and waits for a decision; the next full run after it plans them again`,
    }),
    ...(run.decision && {
      decided: `${run.status} by ${run.decidedBy} at ${run.decidedAt}: ${counted(run.decision.applied, 'removal')} applied, ${counted(run.decision.returned, 'record')} back in the directory left alone`,
    }),
  });
  process.stdout.write('\n');
  printTable(
    COUNT_KEYS.filter((k) => run.counts[k] > 0).map((k) => ({ k, n: run.counts[k] })),
    [
      { header: 'count', value: (r) => r.k },
      { header: 'records', value: (r) => r.n },
    ],
  );
  const samples = Object.entries(run.samples).filter(([, list]) => list && list.length > 0);
  if (samples.length === 0 || (run.status !== 'preview' && run.status !== 'held')) return;
  process.stdout.write('\nfirst changes of each kind:\n');
  for (const [kind, list] of samples) {
    for (const c of list ?? [])
      process.stdout.write(`  ${kind.padEnd(18)} ${c.name}${c.detail ? `  (${c.detail})` : ''}\n`);
  }
}

/** Provision on demand, step by step: what was found, why it is (not) provisioned, what changes. */
export function printProvision(report: ProvisionReport): void {
  report.steps.forEach((step, i) => {
    process.stdout.write(`${String(i + 1).padStart(2)}. ${step}\n`);
  });
}
