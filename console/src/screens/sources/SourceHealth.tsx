import type { Source } from '../../api/sync.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../ui/format.ts';

// Healthy, failing (backing off before the next try) or quarantined (the schedule stopped until
// an administrator resumes it), with the error's own code: what one searches for.

export function SourceHealth({ health }: { health: Source['health'] }) {
  const { t, language } = useI18n();
  return (
    <>
      <span className={`badge badge-health-${health.state}`}>
        {t(`sources.health.${health.state}`)}
      </span>
      {health.state !== 'healthy' && (
        <p className="hint">
          {t('sources.failures', { count: health.failures })}
          {health.lastErrorCode && (
            <>
              {' '}
              — {t('sources.errorCode')} <code>{health.lastErrorCode}</code>
            </>
          )}
          {health.lastError && `: ${health.lastError}`}
          {health.state === 'backing-off' &&
            health.retryAfter &&
            ` — ${t('sources.retryAfter', { date: formatDate(health.retryAfter, language) })}`}
          {health.state === 'quarantined' && ` — ${t('sources.quarantinedHint')}`}
        </p>
      )}
    </>
  );
}
