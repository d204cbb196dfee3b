import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import type { ImportRun } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';

// An apply runs in the daemon after it answers: its progress (the last line of the file whose
// batch is in) is read again until the run is applied or has failed.

const POLL_MS = 400;

export function ApplyProgress(props: { run: ImportRun; onAgain(): void }) {
  const { t } = useI18n();
  const [run, setRun] = useState(props.run);
  const [pollError, setPollError] = useState<string | null>(null);
  const retry = useAction();
  // A failed apply resumes after the last batch that was written.
  const applyAgain = async () => {
    setPollError(null);
    const started = await retry.run(() => api.post<ImportRun>(`/imports/${run.id}/apply`, {}));
    if (started) setRun(started);
  };
  useEffect(() => {
    if (run.status !== 'applying') return;
    const timer = setTimeout(() => {
      api.get<ImportRun>(`/imports/${run.id}`).then(setRun, (e: Error) => setPollError(e.message));
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [run]);
  const { appliedThroughLine, lastLine } = run.progress;
  const done = run.status === 'applied' ? lastLine : appliedThroughLine;
  return (
    <section aria-labelledby="import-apply">
      <h2 id="import-apply">{t('import.applying')}</h2>
      <div className="field">
        <label htmlFor="import-progress">{t('import.progress')}</label>
        <progress id="import-progress" max={Math.max(lastLine, 1)} value={done} />
        <p className="hint">{t('import.progressLines', { done, total: lastLine })}</p>
      </div>
      {run.status === 'applied' && (
        <>
          <StatusNotice>
            {t('import.applied', { created: run.created, present: run.alreadyPresent })}
          </StatusNotice>
          <div className="buttons">
            <button type="button" onClick={props.onAgain}>
              {t('import.another')}
            </button>
            <Link href="/members">{t('nav.members')}</Link>
          </div>
        </>
      )}
      <ErrorNotice>
        {(run.status === 'failed' || pollError || retry.error) &&
          t('import.failed', { error: retry.error?.detail ?? pollError ?? run.error ?? '' })}
      </ErrorNotice>
      {run.status === 'failed' && (
        <div className="buttons">
          <button type="button" disabled={retry.busy} onClick={() => void applyAgain()}>
            {t('import.retry')}
          </button>
        </div>
      )}
    </section>
  );
}
