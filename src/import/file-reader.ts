import { Readable, pipeline } from 'node:stream';

// Streams an uploaded file as records: bytes → UTF-8 text (a BOM is dropped, anything that is
// not UTF-8 is refused) → CSV records (csv-parse, separator detected from the header line) or
// CreateUsers lines. Nothing holds the whole file; a 100,000-row file flows through in chunks.

export class ImportFileError extends Error {
  constructor(
    readonly line: number | null,
    message: string,
  ) {
    super(message);
  }
}

export interface FileRecord {
  line: number;
  fields: string[];
}

export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  for await (const chunk of chunks) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      // The line of the first byte that is not UTF-8: where the lenient decoding puts U+FFFD.
      const lenient = new TextDecoder('utf-8').decode(chunk);
      const before = lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')));
      const at = line + (before.match(/\n/g)?.length ?? 0);
      throw new ImportFileError(
        at,
        `the file is not UTF-8 text (line ${at}); save it as UTF-8 (with or without BOM) and try again`,
      );
    }
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
    if (text) yield text;
  }
  try {
    const tail = decoder.decode();
    if (tail) yield tail;
  } catch {
    throw new ImportFileError(
      line,
      'the file is not UTF-8 text: it ends in the middle of a character',
    );
  }
}

const SEPARATORS = [',', ';', '\t'] as const;
const SEPARATOR_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/** The header line decides the separator; a header with two kinds of separator is refused. */
export function detectSeparator(header: string): string {
  const counts = SEPARATORS.map((s) => ({ s, n: header.split(s).length - 1 })).filter(
    (c) => c.n > 0,
  );
  if (counts.length > 1) {
    throw new ImportFileError(
      1,
      `the header line mixes separators (${counts.map((c) => SEPARATOR_NAMES[c.s]).join(' and ')}); use one of comma, semicolon or tab`,
    );
  }
  return counts[0]?.s ?? ',';
}

export function separatorName(separator: string): string {
  return SEPARATOR_NAMES[separator] ?? separator;
}

/** Splits text chunks at the first line so that the separator is known before parsing starts. */
async function headAndRest(
  text: AsyncIterable<string>,
): Promise<{ head: string; rest: AsyncIterator<string> }> {
  const iterator = text[Symbol.asyncIterator]();
  let head = '';
  while (!/\r?\n/.test(head)) {
    const next = await iterator.next();
    if (next.done) break;
    head += next.value;
  }
  return { head, rest: iterator };
}

export async function* csvRecords(
  text: AsyncIterable<string>,
  onSeparator: (separator: string) => void,
): AsyncGenerator<FileRecord> {
  const { head, rest } = await headAndRest(text);
  if (head.trim() === '')
    throw new ImportFileError(
      null,
      'the file is empty: it needs a header line and at least one row',
    );
  const separator = detectSeparator(head.split(/\r?\n/)[0]!);
  onSeparator(separator);
  async function* all(): AsyncGenerator<string> {
    yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  }
  // Loaded here, not with the module: every CLI command loads the import routes.
  const { parse } = await import('csv-parse');
  const parser = parse({
    delimiter: separator,
    // Any line ending, mixed within one file: a template saved with CRLF and rows appended with
    // `echo` (LF) are still one row per line.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    bom: true,
  });
  pipeline(Readable.from(all()), parser, () => {});
  try {
    for await (const record of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      yield { line: record.info.lines, fields: record.record };
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    const line = (error as { lines?: number }).lines ?? null;
    throw new ImportFileError(line, `the file cannot be read as CSV: ${(error as Error).message}`);
  }
}

/** CreateUsers files: one account per line, no header, no quoting. */
export async function* textLines(
  text: AsyncIterable<string>,
): AsyncGenerator<{ line: number; text: string }> {
  let pending = '';
  let line = 0;
  for await (const chunk of text) {
    pending += chunk;
    const parts = pending.split(/\r?\n/);
    pending = parts.pop() ?? '';
    for (const part of parts) {
      line++;
      yield { line, text: part.replace(/^\uFEFF/, '') };
    }
  }
  if (pending) yield { line: line + 1, text: pending.replace(/^\uFEFF/, '') };
}
