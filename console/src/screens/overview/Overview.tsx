import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import type { Source as SourceSummary } from '../../api/sync.ts';
import type { Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../ui/format.ts';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { useLoad } from '../../ui/useLoad.ts';

// The organization at a glance: members by status, pending
// invitations, and each source with its health and last run.

const STATUSES = ['active', 'pending', 'disabled'] as const;

async function loadOverview() {
  const count = (path: string, query: Record<string, string>) =>
    api.get<Page<unknown>>(path, { ...query, pageSize: 1 }).then((p) => p.total);
  const [active, pending, disabled, invitations, sources] = await Promise.all([
    ...STATUSES.map((status) => count('/members', { status })),
    count('/invitations', { status: 'pending' }),
    api.get<{ items: SourceSummary[] }>('/sources').then((s) => s.items),
  ]);
  return { members: { active, pending, disabled }, invitations, sources } as {
    members: Record<(typeof STATUSES)[number], number>;
    invitations: number;
    sources: SourceSummary[];
  };
}

export function Overview() {
  const { t, language } = useI18n();
  const { data, error } = useLoad(loadOverview, []);
  return (
    <>
      <Heading>{t('overview.title')}</Heading>
      <ErrorNotice>{error?.detail}</ErrorNotice>
      {data && (
        <div className="cards">
          <section className="card" aria-labelledby="card-members">
            <h2 id="card-members">{t('overview.members')}</h2>
            <dl className="figures">
              {STATUSES.map((status) => (
                <div key={status}>
                  <dt>{t(`status.${status}`)}</dt>
                  <dd>
                    <Link href={`/members?status=${status}`}>{data.members[status]}</Link>
                  </dd>
                </div>
              ))}
            </dl>
          </section>
          <section className="card" aria-labelledby="card-invitations">
            <h2 id="card-invitations">{t('overview.pendingInvitations')}</h2>
            <p className="figure">
              <Link href="/invitations?status=pending">{data.invitations}</Link>
            </p>
          </section>
          <section className="card" aria-labelledby="card-sources">
            <h2 id="card-sources">{t('overview.sources')}</h2>
            {data.sources.length === 0 ? (
              <p>{t('overview.noSources')}</p>
            ) : (
              <ul className="plain">
                {data.sources.map((s) => (
                  <li key={s.name}>
                    <Link href="/sources">
                      <strong>{s.name}</strong>
                    </Link>{' '}
                    ({s.type}){' '}
                    <span className={`badge badge-health-${s.health.state}`}>
                      {t(`sources.health.${s.health.state}`)}
                    </span>{' '}
                    — {t('overview.lastRun')}:{' '}
                    {s.lastRun
                      ? `${t(`run.status.${s.lastRun.status}`)}, ${formatDate(s.lastRun.startedAt, language)}`
                      : t('overview.never')}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </>
  );
}
