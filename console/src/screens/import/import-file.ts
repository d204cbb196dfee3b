import type { ImportIssue, ImportModeInfo } from '../../api/types.ts';
import { parseCsv, writeCsv } from './csv-text.ts';

// The file being imported, held in the page: its rows can be corrected or removed and the file
// written again for another validation. Each row keeps its key across versions of the file;
// the lines of the version last sent map the report's issues back to those keys.

export type FileKind = 'csv' | 'createusers';

export interface FileRow {
  key: number;
  /** CSV: one value per field; CreateUsers: the whole line, its one cell. */
  cells: string[];
}

export interface ImportFile {
  name: string;
  kind: FileKind;
  separator: string;
  /** The CSV header line's names; null for CreateUsers files, which have none. */
  header: string[] | null;
  rows: FileRow[];
}

/** Reads a file's text into rows; null when the page cannot (the daemon's report says why). */
export function readImportFile(name: string, text: string, kind: FileKind): ImportFile | null {
  if (kind === 'createusers') {
    const rows = text
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .map((line, i) => ({ key: i + 1, cells: [line] }))
      .filter((r) => r.cells[0]!.trim() !== '');
    return { name, kind, separator: '|', header: null, rows };
  }
  const parsed = parseCsv(text);
  if (!parsed || parsed.records.length === 0) return null;
  const [head, ...records] = parsed.records;
  return {
    name,
    kind,
    separator: parsed.separator,
    header: head!.fields.map((f) => f.trim()),
    rows: records.map((r) => ({ key: r.line, cells: r.fields })),
  };
}

/** The line each row had in the file as chosen: its keys are those lines. */
export function originalLines(file: ImportFile): Map<number, number> {
  return new Map(file.rows.map((r) => [r.key, r.key]));
}

/**
 * The file as it stands now, and which row each line of it holds. Cells past the header that
 * were emptied are dropped, so that emptying a stray cell fixes a row with too many fields.
 */
export function writeImportFile(file: ImportFile): {
  text: string;
  rowOfLine: Map<number, number>;
} {
  if (!file.header) {
    return {
      text: `${file.rows.map((r) => r.cells[0]).join('\r\n')}\r\n`,
      rowOfLine: new Map(file.rows.map((r, i) => [i + 1, r.key])),
    };
  }
  const width = file.header.length;
  const cells = file.rows.map((r) => {
    const kept = [...r.cells];
    while (kept.length > width && kept.at(-1) === '') kept.pop();
    while (kept.length < width) kept.push('');
    return kept;
  });
  const { text, lines } = writeCsv(file.header, cells, file.separator);
  return { text, rowOfLine: new Map(lines.map((line, i) => [line, file.rows[i]!.key])) };
}

export function updateCell(
  file: ImportFile,
  key: number,
  column: number,
  value: string,
): ImportFile {
  return {
    ...file,
    rows: file.rows.map((r) => {
      if (r.key !== key) return r;
      const cells = [...r.cells];
      while (cells.length <= column) cells.push('');
      cells[column] = value;
      return { ...r, cells };
    }),
  };
}

export function removeRow(file: ImportFile, key: number): ImportFile {
  return { ...file, rows: file.rows.filter((r) => r.key !== key) };
}

/** Header names are compared as the daemon compares them: case, accents, apostrophes, spaces. */
function fold(label: string): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Which column of the file each field's English label (the issues' `field`) is in. */
export function columnsByLabel(
  file: ImportFile,
  mode: ImportModeInfo | undefined,
): Map<string, number> {
  const byLabel = new Map<string, number>();
  if (!file.header || !mode) return byLabel;
  file.header.forEach((name, index) => {
    const column = mode.columns.find((c) => c.accepted.some((a) => fold(a) === fold(name)));
    if (column) byLabel.set(column.label, index);
  });
  return byLabel;
}

export interface RowIssues {
  /** Issues of one cell, by column. */
  cells: Map<number, ImportIssue[]>;
  /** Issues of the row as a whole, or of a field the file has no column for. */
  row: ImportIssue[];
}

/** The report's issues by row key; issues of no row (the file as a whole) go to `file`. */
export function placeIssues(
  issues: ImportIssue[],
  rowOfLine: Map<number, number>,
  columns: Map<string, number>,
): { rows: Map<number, RowIssues>; file: ImportIssue[] } {
  const rows = new Map<number, RowIssues>();
  const file: ImportIssue[] = [];
  for (const issue of issues) {
    const key = issue.line === null ? undefined : rowOfLine.get(issue.line);
    if (key === undefined) {
      file.push(issue);
      continue;
    }
    const placed: RowIssues = rows.get(key) ?? { cells: new Map(), row: [] };
    rows.set(key, placed);
    const column = issue.field === null ? undefined : columns.get(issue.field);
    if (column === undefined) placed.row.push(issue);
    else placed.cells.set(column, [...(placed.cells.get(column) ?? []), issue]);
  }
  return { rows, file };
}
