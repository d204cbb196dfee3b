// CSV as the daemon reads it (RFC 4180 quoting; the header line decides the separator; CRLF,
// LF and CR all end a record; empty lines skipped), with each record's line number counted the
// same way: the line the record ends on. The report names rows by those lines, so the page can put each issue next to its row.

const SEPARATORS = [',', ';', '\t'];

export interface CsvRecord {
  line: number;
  fields: string[];
}

function separatorOf(text: string): string {
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  return SEPARATORS.find((s) => header.includes(s)) ?? ',';
}

/** The records of a CSV text; null when it cannot be read (an open quote): the daemon says why. */
export function parseCsv(input: string): { separator: string; records: CsvRecord[] } | null {
  const text = input.replace(/^\uFEFF/, '');
  const separator = separatorOf(text);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  let line = 1;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '' || wasQuoted) records.push({ line, fields });
    fields = [];
    field = '';
    wasQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        // The daemon counts each CR and each LF inside quotes as a line: a CRLF there is two.
        if (c === '\n' || c === '\r') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      wasQuoted = true;
    } else if (c === separator) {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else field += c;
  }
  if (quoted) return null;
  if (field !== '' || fields.length > 0 || wasQuoted) endRecord();
  return { separator, records };
}

function quote(value: string, separator: string): string {
  // Line breaks inside a cell are written as LF: the daemon counts a CRLF there as two lines.
  const cell = value.replace(/\r\n?/g, '\n');
  return /["\n]/.test(cell) || cell.includes(separator) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** The text of a header and rows, and the line each row ends on (the header is line 1). */
export function writeCsv(
  header: string[],
  rows: string[][],
  separator: string,
): { text: string; lines: number[] } {
  const out = [header.map((h) => quote(h, separator)).join(separator)];
  const lines: number[] = [];
  let line = 1;
  for (const row of rows) {
    const text = row.map((f) => quote(f, separator)).join(separator);
    line += 1 + (text.match(/\n/g)?.length ?? 0);
    lines.push(line);
    out.push(text);
  }
  return { text: `${out.join('\r\n')}\r\n`, lines };
}
