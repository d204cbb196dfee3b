import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { CatalogRole, Group, InvitationCode, Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../ui/format.ts';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import { useQueryState } from '../../ui/useQueryState.ts';
import { CreateCodes } from './CreateCodes.tsx';
import { ChoiceFilter } from '../../ui/ChoiceFilter.tsx';

// The codes management list: newest first, filters by status and scope, disable.

const STATUSES = ['valid', 'used', 'disabled', 'expired'] as const;

export function CodesScreen() {
  const { t, language } = useI18n();
  const [params, update] = useQueryState();
  const status = params.get('status') ?? '';
  const scope = params.get('scope') ?? '';
  const list = useLoad(
    () =>
      api.get<{ items: InvitationCode[] }>('/codes', {
        status: status || undefined,
        scope: scope || undefined,
      }),
    [status, scope],
  );
  const catalog = useLoad(
    () =>
      Promise.all([
        api.get<{ items: CatalogRole[] }>('/roles').then((r) => r.items),
        api.get<Page<Group>>('/groups', { pageSize: 500 }).then((g) => g.items),
      ]),
    [],
  );
  const action = useAction();
  const [done, setDone] = useState('');
  const disable = async (code: InvitationCode) => {
    setDone('');
    if ((await action.run(() => api.post(`/codes/${code.id}/disable`))) !== undefined) {
      setDone(t('codes.disabled'));
      list.reload();
    }
  };
  const [roles, groups] = catalog.data ?? [[], []];
  return (
    <>
      <Heading>{t('codes.title')}</Heading>
      <div className="toolbar">
        <CreateCodes roles={roles} groups={groups} onCreated={list.reload} />
      </div>
      <search>
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <ChoiceFilter
            label={t('codes.status')}
            error={list.error?.forField('status')}
            value={status}
            onChange={(value) => update({ status: value })}
            options={STATUSES.map((s) => [s, t(`codes.status.${s}`)] as const)}
          />
          <ChoiceFilter
            label={t('codes.scope')}
            error={list.error?.forField('scope')}
            value={scope}
            onChange={(value) => update({ scope: value })}
            options={groups.map((g) => [g.name, g.name] as const)}
          />
        </form>
      </search>
      <ErrorNotice>{list.error?.detail ?? action.error?.detail}</ErrorNotice>
      {done && <StatusNotice>{done}</StatusNotice>}
      {list.data && (
        <table>
          <caption className="visually-hidden">{t('codes.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('codes.scope')}</th>
              <th scope="col">{t('codes.roles')}</th>
              <th scope="col">{t('codes.status')}</th>
              <th scope="col">{t('codes.createdBy')}</th>
              <th scope="col">{t('invitations.created')}</th>
              <th scope="col">{t('codes.validUntil')}</th>
              <th scope="col">{t('codes.usedBy')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((c) => (
              <tr key={c.id}>
                <td>{c.scope}</td>
                <td>{c.roles.join(', ')}</td>
                <td>
                  <span className={`badge badge-${c.status}`}>{t(`codes.status.${c.status}`)}</span>
                </td>
                <td>{c.createdBy}</td>
                <td>{formatDate(c.createdAt, language)}</td>
                <td>{formatDate(c.validUntil, language)}</td>
                <td>{c.usedBy ?? '—'}</td>
                <td>
                  {c.status === 'valid' && (
                    <button
                      type="button"
                      className="danger"
                      aria-label={`${t('codes.disable')} (${c.scope}, ${formatDate(c.createdAt, language)})`}
                      onClick={() => disable(c)}
                    >
                      {t('codes.disable')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data?.items.length === 0 && <p>{t('codes.none')}</p>}
    </>
  );
}
