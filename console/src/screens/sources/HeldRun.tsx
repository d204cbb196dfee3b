import { useId, useState } from 'react';
import { api } from '../../api/client.ts';
import type { HeldAction, SyncRun } from '../../api/sync.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../ui/format.ts';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';

// A run the deletion guard held: what it would remove, what approving and rejecting each do, and
// the two buttons. The API decides once (a second decision is refused with its reason).

type Decided = SyncRun & { decision: SyncRun['decision'] };

export function HeldRun({ runId, onDecided }: { runId: string; onDecided(): void }) {
  const { t, language } = useI18n();
  const headingId = useId();
  const run = useLoad(
    () => api.get<SyncRun & { heldActions: HeldAction[] }>(`/runs/${runId}`),
    [runId],
  );
  const action = useAction();
  const [decided, setDecided] = useState<Decided | null>(null);
  const decide = async (verb: 'approve' | 'reject') => {
    const answer = await action.run(() => api.post<Decided>(`/runs/${runId}/${verb}`));
    if (answer) {
      setDecided(answer);
      onDecided();
    }
  };
  const r = run.data;
  return (
    <section className="panel held" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {t(decided ? 'held.decidedTitle' : 'held.title', { source: r?.source ?? '' })}
      </h2>
      <ErrorNotice>{run.error?.detail ?? action.error?.detail}</ErrorNotice>
      {decided ? (
        <StatusNotice>
          {decided.status === 'approved'
            ? t('held.approved', {
                applied: decided.decision?.applied ?? 0,
                returned: decided.decision?.returned ?? 0,
              })
            : t('held.rejected')}
        </StatusNotice>
      ) : (
        r && (
          <>
            <p>
              {t('held.why', {
                count: r.heldActions.length,
                date: formatDate(r.startedAt, language),
              })}
            </p>
            <ul>
              <li>{t('held.approveMeans')}</li>
              <li>{t('held.rejectMeans')}</li>
            </ul>
            <table>
              <caption>{t('held.removals', { count: r.heldActions.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('sources.login')}</th>
                  <th scope="col">{t('held.action')}</th>
                </tr>
              </thead>
              <tbody>
                {r.heldActions.map((h) => (
                  <tr key={h.memberId}>
                    <td>{h.login ?? h.externalId}</td>
                    <td>{t(`held.action.${h.action}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="buttons">
              <button type="button" disabled={action.busy} onClick={() => decide('approve')}>
                {t('held.approve')}
              </button>
              <button
                type="button"
                className="secondary"
                disabled={action.busy}
                onClick={() => decide('reject')}
              >
                {t('held.reject')}
              </button>
            </div>
          </>
        )
      )}
    </section>
  );
}
