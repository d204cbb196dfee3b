import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import type { Change, SyncRun } from '../../api/sync.ts';
import type { Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../ui/format.ts';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { Pager } from '../../ui/Pager.tsx';
import { useLoad } from '../../ui/useLoad.ts';
import { ChangesTable, CountsLine } from './ChangesTable.tsx';
import { HeldRun } from './HeldRun.tsx';

// One run: what it was, how it ended, the decision on it if it was held, and its full change
// list by login, a page at a time.

const PAGE_SIZE = 50;

export function RunDetail({ id }: { id: string }) {
  const { t, language } = useI18n();
  const [page, setPage] = useState(1);
  const run = useLoad(() => api.get<SyncRun>(`/runs/${id}`), [id]);
  const changes = useLoad(
    () => api.get<Page<Change>>(`/runs/${id}/changes`, { page, pageSize: PAGE_SIZE }),
    [id, page],
  );
  const r = run.data;
  const refresh = () => {
    run.reload();
    changes.reload();
  };
  return (
    <>
      <p>
        <Link href="/sources">{t('run.back')}</Link>
      </p>
      <Heading>{r ? t('run.title', { source: r.source }) : t('app.loading')}</Heading>
      <ErrorNotice>{run.error?.detail ?? changes.error?.detail}</ErrorNotice>
      {r && (
        <dl className="facts">
          <dt>{t('runs.status')}</dt>
          <dd>
            <span className={`badge badge-run-${r.status}`}>{t(`run.status.${r.status}`)}</span>
          </dd>
          <dt>{t('runs.mode')}</dt>
          <dd>{t(`sources.mode.${r.mode}`)}</dd>
          <dt>{t('runs.trigger')}</dt>
          <dd>{t(`run.trigger.${r.trigger}`)}</dd>
          <dt>{t('runs.started')}</dt>
          <dd>{formatDate(r.startedAt, language)}</dd>
          <dt>{t('runs.finished')}</dt>
          <dd>{formatDate(r.finishedAt, language)}</dd>
          <dt>{t('runs.counts')}</dt>
          <dd>
            <CountsLine counts={r.counts} />
          </dd>
          {r.error && (
            <>
              <dt>{t('runs.error')}</dt>
              <dd>{r.error}</dd>
            </>
          )}
          {r.decidedBy && (
            <>
              <dt>{t('runs.decided')}</dt>
              <dd>
                {t('runs.decidedBy', {
                  by: r.decidedBy,
                  date: formatDate(r.decidedAt, language),
                })}
                {r.status === 'approved' &&
                  r.decision &&
                  ` — ${t('held.approved', { applied: r.decision.applied, returned: r.decision.returned })}`}
              </dd>
            </>
          )}
          {r.withheld > 0 && (
            <>
              <dt>{t('runs.withheld')}</dt>
              <dd>{t('runs.withheldFor', { count: r.withheld })}</dd>
            </>
          )}
        </dl>
      )}
      {r?.status === 'held' && <HeldRun runId={id} onDecided={refresh} />}
      <section aria-labelledby="changes-title">
        <h2 id="changes-title">{t('run.changes')}</h2>
        {changes.data && (
          <>
            <ChangesTable changes={changes.data.items} caption={t('run.changes')} />
            {changes.data.total > PAGE_SIZE && (
              <Pager page={page} pageSize={PAGE_SIZE} total={changes.data.total} onPage={setPage} />
            )}
          </>
        )}
      </section>
    </>
  );
}
