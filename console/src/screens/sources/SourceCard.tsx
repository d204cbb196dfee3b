import { useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import type { Source, SyncRun } from '../../api/sync.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../ui/format.ts';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { SourceHealth } from './SourceHealth.tsx';

// One source: where it points, its health and last run, and what an administrator does with it —
// test the connection, preview a run, run it now, resume it when it is failing or quarantined.

type Outcome =
  | { kind: 'test'; ok: boolean; message: string }
  | { kind: 'run'; run: SyncRun }
  | { kind: 'resumed' };

export function SourceCard(props: {
  source: Source;
  onChanged(): void;
  onPreview(run: SyncRun): void;
}) {
  const { t, language } = useI18n();
  const { source } = props;
  const headingId = useId();
  const modeId = useId();
  const [mode, setMode] = useState<'full' | 'incremental'>('full');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const action = useAction();
  const readable = source.capabilities.includes('readAll');
  const test = async () => {
    const answer = await action.run(() =>
      api.post<{ ok: boolean; message: string }>(`/sources/${source.name}/test`),
    );
    if (answer) setOutcome({ kind: 'test', ...answer });
  };
  const run = async (preview: boolean) => {
    setOutcome(null);
    const answer = await action.run(() =>
      api.post<SyncRun>(`/sources/${source.name}/runs`, { mode, preview }),
    );
    if (!answer) return;
    if (preview) props.onPreview(answer);
    else {
      setOutcome({ kind: 'run', run: answer });
      props.onChanged();
    }
  };
  const resume = async () => {
    if (await action.run(() => api.post(`/sources/${source.name}/resume`))) {
      setOutcome({ kind: 'resumed' });
      props.onChanged();
    }
  };
  const last = source.lastRun;
  return (
    <section className="card source" aria-labelledby={headingId}>
      <h2 id={headingId}>{source.name}</h2>
      <dl className="facts compact">
        <dt>{t('sources.type')}</dt>
        <dd>
          {source.type}
          {source.url && ` — ${source.url}`}
        </dd>
        <dt>{t('sources.health')}</dt>
        <dd>
          <SourceHealth health={source.health} />
        </dd>
        <dt>{t('overview.lastRun')}</dt>
        <dd>
          {last?.id ? (
            <Link href={`/sources/runs/${last.id}`}>
              {t(`run.status.${last.status}`)}, {formatDate(last.startedAt, language)}
            </Link>
          ) : (
            t('overview.never')
          )}
        </dd>
      </dl>
      <ErrorNotice>{action.error?.detail}</ErrorNotice>
      {outcome?.kind === 'test' &&
        (outcome.ok ? (
          <StatusNotice>{t('sources.testOk', { message: outcome.message })}</StatusNotice>
        ) : (
          <ErrorNotice>{t('sources.testFailed', { message: outcome.message })}</ErrorNotice>
        ))}
      {outcome?.kind === 'run' && outcome.run.status === 'failed' && (
        <ErrorNotice>
          {t('sources.runFailed', { error: outcome.run.error ?? '' })}{' '}
          {outcome.run.id && (
            <Link href={`/sources/runs/${outcome.run.id}`}>{t('sources.seeRun')}</Link>
          )}
        </ErrorNotice>
      )}
      {outcome?.kind === 'run' && outcome.run.status !== 'failed' && (
        <StatusNotice>
          {t('sources.ran', { status: t(`run.status.${outcome.run.status}`) })}{' '}
          {outcome.run.id && (
            <Link href={`/sources/runs/${outcome.run.id}`}>{t('sources.seeRun')}</Link>
          )}
        </StatusNotice>
      )}
      {outcome?.kind === 'resumed' && <StatusNotice>{t('sources.resumed')}</StatusNotice>}
      <div className="buttons">
        {source.capabilities.includes('test') && (
          <button type="button" className="secondary" disabled={action.busy} onClick={test}>
            {t('sources.test')}
          </button>
        )}
        {readable && (
          <>
            <label htmlFor={modeId} className="visually-hidden">
              {t('sources.mode')}
            </label>
            <select
              id={modeId}
              value={mode}
              onChange={(e) => setMode(e.target.value as 'full' | 'incremental')}
            >
              <option value="full">{t('sources.mode.full')}</option>
              <option value="incremental">{t('sources.mode.incremental')}</option>
            </select>
            <button
              type="button"
              className="secondary"
              disabled={action.busy}
              onClick={() => run(true)}
            >
              {t('sources.preview')}
            </button>
            <button type="button" disabled={action.busy} onClick={() => run(false)}>
              {t('sources.runNow')}
            </button>
          </>
        )}
        {source.health.state !== 'healthy' && (
          <button type="button" className="secondary" disabled={action.busy} onClick={resume}>
            {t('sources.resume')}
          </button>
        )}
      </div>
    </section>
  );
}
