import { Link } from 'wouter';
import type { SyncRun } from '../../api/sync.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../ui/format.ts';
import { CountsLine } from './ChangesTable.tsx';

// The latest runs of every source, newest first; each opens on its changes by login.

export function RunHistory({ runs }: { runs: SyncRun[] }) {
  const { t, language } = useI18n();
  if (runs.length === 0) return <p>{t('runs.none')}</p>;
  return (
    <table>
      <caption className="visually-hidden">{t('runs.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('runs.started')}</th>
          <th scope="col">{t('members.source')}</th>
          <th scope="col">{t('runs.mode')}</th>
          <th scope="col">{t('runs.trigger')}</th>
          <th scope="col">{t('runs.status')}</th>
          <th scope="col">{t('runs.counts')}</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td>
              <Link href={`/sources/runs/${r.id}`}>{formatDate(r.startedAt, language)}</Link>
            </td>
            <td>{r.source}</td>
            <td>{t(`sources.mode.${r.mode}`)}</td>
            <td>{t(`run.trigger.${r.trigger}`)}</td>
            <td>
              <span className={`badge badge-run-${r.status}`}>{t(`run.status.${r.status}`)}</span>
            </td>
            <td>
              <CountsLine counts={r.counts} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
