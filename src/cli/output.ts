import Table from 'cli-table3';

// Human tables by default, one JSON document with --json (for scripts).

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(text).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable<T>(rows: T[], columns: Column<T>[], footer?: string): void {
  const table = new Table({ head: columns.map((c) => c.header), style: { head: [], border: [] } });
  for (const row of rows) table.push(columns.map((c) => text(c.value(row))));
  process.stdout.write(`${table.toString()}\n`);
  if (footer) process.stdout.write(`${footer}\n`);
}

export function printRecord(record: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [key, value] of Object.entries(record))
    process.stdout.write(`${key.padEnd(width)}  ${text(value)}\n`);
}
