import { useId } from 'react';
import type { ImportIssue } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { FileRow, ImportFile, RowIssues } from './import-file.ts';

// The rows of the report: every cell can be corrected in place, each issue stands under the cell
// of its column (or in the row's problems when it names no column), and a row can be removed.

function IssueList({ issues, id }: { issues: ImportIssue[]; id: string }) {
  if (issues.length === 0) return null;
  return (
    <ul className="plain issues" id={id}>
      {issues.map((issue, i) => (
        <li
          // biome-ignore lint/suspicious/noArrayIndexKey: the same message may stand twice
          key={i}
          className={issue.severity === 'error' ? 'field-error' : 'field-warning'}
        >
          {issue.message}
        </li>
      ))}
    </ul>
  );
}

function Cell(props: {
  label: string;
  value: string;
  issues: ImportIssue[];
  wide: boolean;
  /** Passwords are typed again rather than shown. */
  secret: boolean;
  onChange(value: string): void;
}) {
  const id = useId();
  const errors = props.issues.some((i) => i.severity === 'error');
  return (
    <td>
      <input
        className={props.wide ? 'cell cell-wide' : 'cell'}
        type={props.secret ? 'password' : 'text'}
        autoComplete="off"
        aria-label={props.label}
        aria-invalid={errors}
        aria-describedby={props.issues.length > 0 ? id : undefined}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <IssueList issues={props.issues} id={id} />
    </td>
  );
}

export function ReportTable(props: {
  file: ImportFile;
  rows: FileRow[];
  issues: Map<number, RowIssues>;
  /** The column of the passwords, if the file has one. */
  passwordColumn: number | undefined;
  /** The row's line in the file last validated. */
  lineOf(key: number): number;
  onCell(key: number, column: number, value: string): void;
  onRemove(key: number): void;
}) {
  const { t } = useI18n();
  const header = props.file.header ?? [t('import.lineText')];
  const width = Math.max(header.length, ...props.rows.map((r) => r.cells.length));
  const names = Array.from({ length: width }, (_, i) => header[i] ?? t('import.extraColumn'));
  return (
    <div className="table-scroll">
      <table className="report">
        <caption className="visually-hidden">{t('import.reportTable')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('import.line')}</th>
            {/* Remove sits by the line number: wide files scroll, and it must stay in view. */}
            <th scope="col">{t('common.actions')}</th>
            {names.map((name, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
              <th scope="col" key={i}>
                {name}
              </th>
            ))}
            <th scope="col">{t('import.problems')}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => {
            const line = props.lineOf(row.key);
            const placed = props.issues.get(row.key);
            const where = t('import.lineN', { line });
            const rowIssues = placed?.row ?? [];
            return (
              <tr key={row.key}>
                <th scope="row">{line}</th>
                <td>
                  <button
                    type="button"
                    className="danger"
                    aria-label={t('import.removeRow', { where })}
                    onClick={() => props.onRemove(row.key)}
                  >
                    {t('import.remove')}
                  </button>
                </td>
                {names.map((name, column) => (
                  <Cell
                    // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
                    key={column}
                    label={`${name}, ${where}`}
                    value={row.cells[column] ?? ''}
                    issues={placed?.cells.get(column) ?? []}
                    wide={props.file.header === null}
                    secret={column === props.passwordColumn}
                    onChange={(value) => props.onCell(row.key, column, value)}
                  />
                ))}
                <td>
                  {rowIssues.length === 0 && !placed ? (
                    <span className="badge badge-valid">{t('import.rowOk')}</span>
                  ) : (
                    <IssueList
                      id={`row-${row.key}`}
                      issues={rowIssues.map((i) =>
                        // CreateUsers names a problem of the whole line by the field "line".
                        i.field && i.field !== 'line'
                          ? { ...i, message: `${i.field}: ${i.message}` }
                          : i,
                      )}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
