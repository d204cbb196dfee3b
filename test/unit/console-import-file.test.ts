import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { parseCsv, writeCsv } from '../../console/src/screens/import/csv-text.ts';
import {
  columnsByLabel,
  placeIssues,
  readImportFile,
  removeRow,
  updateCell,
  writeImportFile,
} from '../../console/src/screens/import/import-file.ts';
import { importModes } from '../../src/http/api/import-schemas.ts';
import { csvRecords } from '../../src/import/file-reader.ts';

// The console reads and writes an import file in the page and places the daemon's issues by
// line: its lines must be the daemon's. These compare the page's CSV with the daemon's reader.

async function daemonRecords(text: string): Promise<Array<{ line: number; fields: string[] }>> {
  async function* chunks() {
    yield text;
  }
  const records = [];
  for await (const record of csvRecords(chunks(), () => {})) records.push(record);
  return records;
}

test('the page reads a CSV as the daemon does: fields, separator and each record’s line', async (t) => {
  for (const text of [
    'Email,Username\r\na@example.org,a\r\n\r\nb@example.org,b\r\n',
    'Email;Username\n"x;y@example.org";"with ""quotes"""\n\n\nlast@example.org;z',
    'Email\tUsername\n"two\nlines"\tq\nr@example.org\ts\n',
    '\uFEFFEmail,Username\na,b,extra\nonly-one\n',
    'Email,Username\r\na@example.org,a\nb@example.org,b\rc@example.org,c\r\n',
    'Email,Username\r\n"two\r\nlines",q\r\n"and\nthree",r\r\ns,t',
  ]) {
    const page = parseCsv(text);
    t.truthy(page, text);
    t.deepEqual(page!.records, await daemonRecords(text), JSON.stringify(text));
  }
  t.is(parseCsv('Email,Username\n"open,quote\n'), null, 'an open quote: the daemon explains');
});

test('any text the daemon reads as CSV, the page reads alike', async (t) => {
  const text = fc.string({ unit: fc.constantFrom('a', ',', ';', '"', '\n', '\r', '\r\n', ' ') });
  await fc.assert(
    fc.asyncProperty(text, async (body) => {
      const file = `Email,Username\n${body}`;
      let daemon: Awaited<ReturnType<typeof daemonRecords>>;
      try {
        daemon = await daemonRecords(file);
      } catch {
        return; // the daemon refuses it: the page shows the daemon's reason, not its own reading
      }
      assert.deepStrictEqual(parseCsv(file)?.records, daemon);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('a file the page writes reads back, row for row, on the lines it says', async (t) => {
  const cell = fc.string({ unit: fc.constantFrom('a', ' ', ',', ';', '"', '\n', '\r\n', 'é') });
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(',', ';', '\t'),
      fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 8 }),
      async (separator, rows) => {
        const header = ['Email', 'Username', 'Role'];
        const written = writeCsv(header, rows, separator);
        const records = await daemonRecords(written.text);
        assert.deepStrictEqual(
          records.slice(1),
          rows.map((row, i) => ({
            line: written.lines[i]!,
            fields: row.map((f) => f.replace(/\r\n?/g, '\n')),
          })),
        );
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});

test('issues go under the cell of their column, in a French file too; edits and removals are written back', (t) => {
  const file = readImportFile(
    'membres.csv',
    'Adresse électronique;Prénom;Nom;Nom d’utilisateur;Mot de passe;Type d’utilisateur;Rôle\n' +
      'ada@example.org;Ada;Lovelace;ada.l;Analytical-1843x;Creator;User\n' +
      'grace.example.org;Grace;Hopper;grace.h;Compiler-1952x;Astronaut;User;\n' +
      'alan@example.org;Alan;Turing;alan.t;Enigma-1912-xyz;Creator;User\n',
    'csv',
  )!;
  const add = importModes().items.find((m) => m.id === 'add');
  const columns = columnsByLabel(file, add);
  t.is(columns.get('Email'), 0);
  t.is(columns.get('User Type'), 5);
  const placed = placeIssues(
    [
      { line: 3, field: 'Email', severity: 'error', message: 'must look like name@domain' },
      { line: 3, field: 'User Type', severity: 'error', message: 'unknown user type' },
      { line: 3, field: null, severity: 'error', message: 'too many fields' },
      { line: 1, field: null, severity: 'error', message: 'of the file' },
    ],
    new Map(file.rows.map((r) => [r.key, r.key])),
    columns,
  );
  t.deepEqual([...placed.rows.keys()], [3]);
  t.is(placed.rows.get(3)!.cells.get(0)![0]!.message, 'must look like name@domain');
  t.is(placed.rows.get(3)!.cells.get(5)![0]!.message, 'unknown user type');
  t.is(placed.rows.get(3)!.row[0]!.message, 'too many fields');
  t.is(placed.file[0]!.message, 'of the file');

  // Fixed (the stray empty cell is dropped) and the first row removed: the lines move up.
  const fixed = removeRow(
    updateCell(updateCell(file, 3, 0, 'grace@example.org'), 3, 5, 'Creator'),
    2,
  );
  const written = writeImportFile(fixed);
  t.is(
    written.text,
    'Adresse électronique;Prénom;Nom;Nom d’utilisateur;Mot de passe;Type d’utilisateur;Rôle\r\n' +
      'grace@example.org;Grace;Hopper;grace.h;Compiler-1952x;Creator;User\r\n' +
      'alan@example.org;Alan;Turing;alan.t;Enigma-1912-xyz;Creator;User\r\n',
  );
  t.deepEqual(
    [...written.rowOfLine],
    [
      [2, 3],
      [3, 4],
    ],
  );
});

test('a CreateUsers file is one cell per line, blank lines skipped, lines kept', (t) => {
  const file = readImportFile(
    'u.txt',
    'a|b|c|user|creatorUT\r\n\r\nd|e|f|user\r\n',
    'createusers',
  )!;
  t.deepEqual(
    file.rows.map((r) => [r.key, r.cells]),
    [
      [1, ['a|b|c|user|creatorUT']],
      [3, ['d|e|f|user']],
    ],
  );
  const written = writeImportFile(updateCell(file, 3, 0, 'd|e|f|user|creatorUT'));
  t.is(written.text, 'a|b|c|user|creatorUT\r\nd|e|f|user|creatorUT\r\n');
  t.deepEqual(
    [...written.rowOfLine],
    [
      [1, 1],
      [2, 3],
    ],
  );
});
