import { useMemo, useState } from 'react';
import { api } from '../../api/client.ts';
import type { ImportModeInfo, ImportRun } from '../../api/types.ts';
import { type MessageKey, useI18n } from '../../i18n/i18n.tsx';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { Pager } from '../../ui/Pager.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import { ApplyProgress } from './ApplyProgress.tsx';
import { ChooseFile } from './ChooseFile.tsx';
import {
  columnsByLabel,
  type ImportFile,
  originalLines,
  placeIssues,
  readImportFile,
  removeRow,
  updateCell,
  writeImportFile,
} from './import-file.ts';
import {
  isCreateUsers,
  looksLikeText,
  MAX_FILE_BYTES,
  NO_OPTIONS,
  uploadQuery,
} from './import-choices.ts';
import { UploadOptionsFields } from './UploadOptions.tsx';
import { ReportTable } from './ReportTable.tsx';

// Import: choose the mode and the file; the daemon validates it (nothing is written but the
// report); the rows with problems are shown to be corrected or removed in the page and the file
// validated again; once nothing blocks, it is applied with a progress bar.

const PAGE_SIZE = 50;

/**
 * A run superseded by another validation is discarded with its stored file. Should that fail,
 * nothing is lost: retention deletes it later, so the page does not hold the administrator up.
 */
function discard(run: ImportRun): void {
  if (run.status === 'validated') api.delete(`/imports/${run.id}`).catch(() => {});
}

export function ImportScreen() {
  const { t, language } = useI18n();
  const modes = useLoad(() => api.get<{ items: ImportModeInfo[] }>('/imports/modes'), []);
  const [choice, setChoice] = useState('add');
  const [options, setOptions] = useState(NO_OPTIONS);
  const [file, setFile] = useState<ImportFile | null>(null);
  const [refusal, setRefusal] = useState<MessageKey | null>(null);
  const [run, setRun] = useState<ImportRun | null>(null);
  const [rowOfLine, setRowOfLine] = useState(new Map<number, number>());
  const [touched, setTouched] = useState(new Set<number>());
  const [changed, setChanged] = useState(false);
  const [showAll, setShowAll] = useState(false);
  const [page, setPage] = useState(1);
  const [applying, setApplying] = useState<ImportRun | null>(null);
  const upload = useAction();
  const apply = useAction();
  const mode = modes.data?.items.find((m) => m.id === choice);

  const validate = async (body: Blob | string, lines: Map<number, number>, name: string) => {
    const answer = await upload.run(() =>
      api.upload<ImportRun>(
        '/imports',
        uploadQuery(choice, mode, { ...options, fileName: name, language }),
        body,
        typeof body === 'string' ? 'text/csv; charset=utf-8' : 'application/octet-stream',
      ),
    );
    if (!answer) return;
    if (run) discard(run);
    setRun(answer);
    setRowOfLine(lines);
    setChanged(false);
    setPage(1);
  };

  const chooseFile = async (chosen: File) => {
    if (run) discard(run);
    setRun(null);
    setRefusal(null);
    setTouched(new Set());
    upload.reset();
    if (!looksLikeText(chosen)) return setRefusal('import.bad.notText');
    if (chosen.size === 0) return setRefusal('import.bad.empty');
    if (chosen.size > MAX_FILE_BYTES) return setRefusal('import.bad.tooBig');
    const read = readImportFile(
      chosen.name,
      await chosen.text(),
      isCreateUsers(choice) ? 'createusers' : 'csv',
    );
    setFile(read);
    // The file goes as it is, bytes and all: the daemon is the one judge of what it holds.
    await validate(chosen, read ? originalLines(read) : new Map(), chosen.name);
  };

  const validateAgain = () => {
    if (!file) return;
    const written = writeImportFile(file);
    void validate(written.text, written.rowOfLine, file.name);
  };

  const startOver = () => {
    if (run && !applying) discard(run);
    setRun(null);
    setFile(null);
    setApplying(null);
    setRefusal(null);
    upload.reset();
    apply.reset();
  };

  const startApply = async () => {
    if (!run) return;
    const started = await apply.run(() => api.post<ImportRun>(`/imports/${run.id}/apply`, {}));
    if (started) setApplying(started);
  };

  const columns = useMemo(
    () => (file ? columnsByLabel(file, mode) : new Map<string, number>()),
    [file, mode],
  );
  const placed = useMemo(
    () => placeIssues(run?.report.issues ?? [], rowOfLine, columns),
    [run, rowOfLine, columns],
  );
  const lineOf = useMemo(() => {
    const byKey = new Map([...rowOfLine].map(([line, key]) => [key, line]));
    return (key: number) => byKey.get(key) ?? key;
  }, [rowOfLine]);

  if (applying)
    return (
      <>
        <Heading>{t('import.title')}</Heading>
        <ApplyProgress run={applying} onAgain={startOver} />
      </>
    );

  const report = run?.report;
  const fileRefused = Boolean(report?.fileError) || (Boolean(report) && !file);
  const shown = (file?.rows ?? []).filter(
    (r) => showAll || placed.rows.has(r.key) || touched.has(r.key),
  );
  const problems = [
    report?.membershipLimit &&
      t('import.limit', {
        limit: report.membershipLimit.limit,
        count: report.membershipLimit.count,
      }),
    ...placed.file.map((i) => i.message),
    upload.error && t('import.refused', { reason: upload.error.detail }),
    apply.error && t('import.refused', { reason: apply.error.detail }),
  ].filter(Boolean);
  const blocked =
    !report || changed || report.invalid > 0 || report.fileError || report.membershipLimit !== null;
  return (
    <>
      <Heading>{t('import.title')}</Heading>
      <ErrorNotice>{modes.error?.detail}</ErrorNotice>
      {(!report || fileRefused) && modes.data && (
        <section aria-labelledby="import-choose">
          <h2 id="import-choose">{t('import.choose')}</h2>
          <ErrorNotice>
            {refusal
              ? t(refusal)
              : upload.error
                ? t('import.refused', { reason: upload.error.detail })
                : fileRefused && (
                    <>
                      {t('import.fileRefused')}
                      <ul>
                        {(report?.issues ?? []).map((i) => (
                          <li key={`${i.line}-${i.message}`}>
                            {i.line !== null && `${t('import.lineN', { line: i.line })}: `}
                            {i.message}
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
          </ErrorNotice>
          <ChooseFile
            modes={modes.data.items}
            choice={choice}
            onChoice={setChoice}
            options={
              <UploadOptionsFields
                choice={choice}
                mode={mode}
                options={options}
                onOptions={setOptions}
                error={upload.field}
              />
            }
            busy={upload.busy}
            onFile={(f) => void chooseFile(f)}
          />
        </section>
      )}
      {report && file && !fileRefused && (
        <section aria-labelledby="import-report">
          <h2 id="import-report">
            {t('import.report', {
              name: file.name,
              mode: t(`import.mode.${choice}` as MessageKey),
            })}
          </h2>
          <dl className="figures">
            {(
              [
                ['import.rows', report.rows],
                ['import.valid', report.valid],
                ['import.invalid', report.invalid],
                ['import.present', report.alreadyPresent],
                ['import.toCreate', report.toCreate],
              ] as const
            ).map(([label, value]) => (
              <div key={label}>
                <dt>{t(label)}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          {changed ? (
            <StatusNotice>{t('import.changed')}</StatusNotice>
          ) : report.invalid > 0 ? (
            <ErrorNotice>{t('import.fix', { count: report.invalid })}</ErrorNotice>
          ) : (
            <StatusNotice>{t('import.ready', { count: report.toCreate })}</StatusNotice>
          )}
          <ErrorNotice>{problems.join(' ')}</ErrorNotice>
          <label className="check">
            <input
              type="checkbox"
              checked={showAll}
              onChange={(e) => {
                setShowAll(e.target.checked);
                setPage(1);
              }}
            />{' '}
            {t('import.showAll', { count: file.rows.length })}
          </label>
          {shown.length > 0 ? (
            <ReportTable
              file={file}
              rows={shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)}
              issues={placed.rows}
              passwordColumn={columns.get('Password')}
              lineOf={lineOf}
              onCell={(key, column, value) => {
                setFile((f) => f && updateCell(f, key, column, value));
                setTouched((s) => new Set(s).add(key));
                setChanged(true);
              }}
              onRemove={(key) => {
                setFile((f) => f && removeRow(f, key));
                setChanged(true);
              }}
            />
          ) : (
            <p>{t('import.noProblems')}</p>
          )}
          {shown.length > PAGE_SIZE && (
            <Pager page={page} pageSize={PAGE_SIZE} total={shown.length} onPage={setPage} />
          )}
          <div className="buttons">
            <button
              type="button"
              className={changed ? undefined : 'secondary'}
              disabled={upload.busy}
              onClick={validateAgain}
            >
              {t('import.validateAgain')}
            </button>
            <button
              type="button"
              className={changed ? 'secondary' : undefined}
              disabled={blocked || apply.busy}
              onClick={() => void startApply()}
            >
              {t('import.apply', { count: report.toCreate })}
            </button>
            <button type="button" className="secondary" onClick={startOver}>
              {t('import.another')}
            </button>
          </div>
        </section>
      )}
    </>
  );
}
