import { useEffect, useRef } from 'react';
import { CHANGE_KINDS, type SyncRun, sampleChanges } from '../../api/sync.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { ChangesTable, CountsLine } from './ChangesTable.tsx';

// What a run would do, computed with nothing written: the counts, and the first changes of each
// kind by login with their attribute changes (the API keeps a sample of each kind).

export function PreviewResult({ run, onClose }: { run: SyncRun; onClose(): void }) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const changes = sampleChanges(run);
  // Memberships and unchanged records are counted, never listed: only a listed kind can be cut short.
  const cut = CHANGE_KINDS.some((kind) => {
    const listed = run.samples[kind]?.length ?? 0;
    return listed > 0 && run.counts[kind] > listed;
  });
  return (
    <section className="panel preview" aria-labelledby="preview-title">
      <h2 id="preview-title" tabIndex={-1} ref={heading}>
        {t('preview.title', { source: run.source })}
      </h2>
      <p>{t('preview.nothingWritten')}</p>
      <ErrorNotice>{run.error}</ErrorNotice>
      <p>
        <CountsLine counts={run.counts} />
      </p>
      {run.held > 0 && <p className="warning">{t('preview.wouldHold', { count: run.held })}</p>}
      <ChangesTable changes={changes} caption={t('preview.title', { source: run.source })} />
      {cut && <p className="hint">{t('preview.sample')}</p>}
      <div className="buttons">
        <button type="button" className="secondary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </section>
  );
}
