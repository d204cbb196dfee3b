import { type Idp, parseCreateUsersLine } from './createusers-line.ts';
import {
  ImportFileError,
  csvRecords,
  decodeUtf8,
  separatorName,
  textLines,
} from './file-reader.ts';
import { looksLikeData, matchHeader } from './header-matching.ts';
import type { ImportMode } from './import-modes.ts';
import type { ImportIssue, ImportRow } from './row-validation.ts';

// From the bytes of a file to rows keyed by field, for the CSV modes and for CreateUsers files.
// Problems of the file as a whole (not UTF-8, empty, no header, unknown header) are thrown as an
// ImportFileError; problems of one line (its field count, a CreateUsers line that cannot be
// read) come out as that line's issue and the reading goes on.

export type FileFormat = { kind: 'csv'; mode: ImportMode } | { kind: 'createusers'; idp: Idp };

export type RowOrIssue = { row: ImportRow } | { issue: ImportIssue };

const OTHER_SEPARATORS: Record<string, string[]> = {
  ',': [';', '\t'],
  ';': [',', '\t'],
  '\t': [',', ';'],
};

async function* csvRows(
  chunks: AsyncIterable<Uint8Array>,
  mode: ImportMode,
  onSeparator: (s: string) => void,
): AsyncGenerator<RowOrIssue> {
  let separator = ',';
  let columns: ReturnType<typeof matchHeader> | undefined;
  let rows = 0;
  for await (const record of csvRecords(decodeUtf8(chunks), (s) => {
    separator = s;
    onSeparator(s);
  })) {
    if (!columns) {
      const names = record.fields.map((f) => f.trim());
      if (looksLikeData(names))
        throw new ImportFileError(
          record.line,
          `the file has no header line: line ${record.line} looks like data; the first line must name the columns`,
        );
      columns = matchHeader(names, mode);
      if (!columns.ok)
        throw new ImportFileError(
          record.line,
          columns.problems
            .map((p) => (p.column ? `column ${p.column}: ${p.message}` : p.message))
            .join('; '),
        );
      continue;
    }
    if (!columns.ok) continue;
    rows++;
    const expected = columns.columns.length;
    if (record.fields.length !== expected) {
      const raw = record.fields.join(separator);
      const mixed = (OTHER_SEPARATORS[separator] ?? []).filter((s) => raw.includes(s));
      const hint =
        mixed.length > 0
          ? ` (the file is ${separatorName(separator)}-separated but this line also has ${mixed.map(separatorName).join(' and ')}: mixed separators?)`
          : '';
      const count = record.fields.length > expected ? 'too many' : 'too few';
      yield {
        issue: {
          line: record.line,
          field: null,
          severity: 'error',
          message: `${count} fields: ${record.fields.length} where the header has ${expected}${hint}`,
        },
      };
      continue;
    }
    const values: ImportRow['values'] = {};
    columns.columns.forEach((field, i) => {
      values[field] = field === 'password' ? record.fields[i]! : record.fields[i]!.trim();
    });
    yield { row: { line: record.line, values } };
  }
  if (!columns)
    throw new ImportFileError(
      null,
      'the file is empty: it needs a header line and at least one row',
    );
  if (rows === 0) throw new ImportFileError(1, 'the file has a header line but no rows');
}

async function* createUsersRows(
  chunks: AsyncIterable<Uint8Array>,
  idp: Idp,
): AsyncGenerator<RowOrIssue> {
  let rows = 0;
  for await (const { line, text } of textLines(decodeUtf8(chunks))) {
    if (text.trim() === '') continue;
    rows++;
    const parsed = parseCreateUsersLine(text, idp);
    if (!parsed.ok) {
      yield { issue: { line, field: parsed.field, severity: 'error', message: parsed.message } };
      continue;
    }
    const r = parsed.row;
    yield {
      row: {
        line,
        values: {
          username: r.login,
          email: r.email,
          name: r.name,
          role: r.role,
          userType: r.userTypeId,
          ...(r.password !== undefined && { password: r.password }),
          ...(r.description !== undefined && { description: r.description }),
          ...(r.idpUserName !== undefined && { idpUserName: r.idpUserName }),
          ...(r.firstName !== undefined && { firstName: r.firstName }),
          ...(r.lastName !== undefined && { lastName: r.lastName }),
        },
      },
    };
  }
  if (rows === 0)
    throw new ImportFileError(
      null,
      'the file is empty: a CreateUsers file has one account per line',
    );
}

export function readRows(
  chunks: AsyncIterable<Uint8Array>,
  format: FileFormat,
  onSeparator: (s: string) => void = () => {},
): AsyncGenerator<RowOrIssue> {
  return format.kind === 'csv'
    ? csvRows(chunks, format.mode, onSeparator)
    : createUsersRows(chunks, format.idp);
}
