import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Source, SyncRun } from '../../api/sync.ts';
import type { Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { Pager } from '../../ui/Pager.tsx';
import { useLoad } from '../../ui/useLoad.ts';
import { HeldRun } from './HeldRun.tsx';
import { PreviewResult } from './PreviewResult.tsx';
import { RunHistory } from './RunHistory.tsx';
import { SourceCard } from './SourceCard.tsx';

// The identity sources: runs held by the deletion guard first (they wait for a decision), then
// each source with its health and actions, a preview when one was asked for, and the run history.

const HISTORY = 10;

export function SourcesScreen() {
  const { t } = useI18n();
  const sources = useLoad(() => api.get<{ items: Source[] }>('/sources'), []);
  const [page, setPage] = useState(1);
  const [only, setOnly] = useState('');
  const runs = useLoad(
    () => api.get<Page<SyncRun>>('/runs', { source: only, page, pageSize: HISTORY }),
    [only, page],
  );
  const [preview, setPreview] = useState<SyncRun | null>(null);
  const refresh = () => {
    // A run or a decision makes the preview stale.
    setPreview(null);
    sources.reload();
    runs.reload();
  };
  // A run decided here stays on the screen with the outcome, though the source no longer holds it.
  const [decided, setDecided] = useState<string[]>([]);
  const held = [
    ...new Set([
      ...(sources.data?.items ?? []).flatMap((s) => (s.heldRun ? [s.heldRun.id] : [])),
      ...decided,
    ]),
  ];
  return (
    <>
      <Heading>{t('sources.title')}</Heading>
      <ErrorNotice>{sources.error?.detail ?? runs.error?.detail}</ErrorNotice>
      {held.map((id) => (
        <HeldRun
          key={id}
          runId={id}
          onDecided={() => {
            setDecided((ids) => [...ids, id]);
            refresh();
          }}
        />
      ))}
      <div className="cards">
        {sources.data?.items.map((s) => (
          <SourceCard key={s.name} source={s} onChanged={refresh} onPreview={setPreview} />
        ))}
      </div>
      {sources.data?.items.length === 0 && <p>{t('overview.noSources')}</p>}
      {preview && <PreviewResult run={preview} onClose={() => setPreview(null)} />}
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">{t('runs.title')}</h2>
        <Field label={t('runs.source')}>
          {(a) => (
            <select
              {...a}
              value={only}
              onChange={(e) => {
                setOnly(e.target.value);
                setPage(1);
              }}
            >
              <option value="">{t('runs.allSources')}</option>
              {sources.data?.items.map((s) => (
                <option key={s.name}>{s.name}</option>
              ))}
            </select>
          )}
        </Field>
        {runs.data && <RunHistory runs={runs.data.items} />}
        {runs.data && runs.data.total > HISTORY && (
          <Pager page={page} pageSize={HISTORY} total={runs.data.total} onPage={setPage} />
        )}
      </section>
    </>
  );
}
