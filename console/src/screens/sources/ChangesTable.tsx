import type { Change } from '../../api/sync.ts';
import { useI18n } from '../../i18n/i18n.tsx';

// Changes by login, each with what it changes on the member: field, before → after.

export function ChangesTable({ changes, caption }: { changes: Change[]; caption: string }) {
  const { t } = useI18n();
  if (changes.length === 0) return <p>{t('sources.noChanges')}</p>;
  return (
    <table className="changes">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('sources.change')}</th>
          <th scope="col">{t('sources.login')}</th>
          <th scope="col">{t('sources.whatChanges')}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={`${c.action}:${c.externalId}`}>
            <td>
              <span className={`badge badge-change-${c.action}`}>{t(`change.${c.action}`)}</span>
            </td>
            <td>{c.login}</td>
            <td>
              {c.attributes.length > 0 ? (
                <ul className="plain diffs">
                  {c.attributes.map((a) => (
                    <li key={a.field}>
                      <strong>{a.field}</strong>: <del>{a.before ?? '—'}</del> →{' '}
                      <ins>{a.after ?? '—'}</ins>
                    </li>
                  ))}
                </ul>
              ) : (
                (c.detail ?? '')
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The counts that are not zero, as "created 3 · updated 1". */
export function CountsLine({ counts }: { counts: Record<string, number> }) {
  const { t } = useI18n();
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${t(`change.${kind as Change['action']}`)} ${n}`);
  return <span>{parts.length > 0 ? parts.join(' · ') : t('sources.nothingChanged')}</span>;
}
