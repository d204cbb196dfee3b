import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Invitation, Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { formatDate } from '../../ui/format.ts';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { ListEnd } from '../../ui/Pager.tsx';
import { SortHeader } from '../../ui/SortHeader.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import { useQueryState } from '../../ui/useQueryState.ts';
import { ChoiceFilter } from '../../ui/ChoiceFilter.tsx';

// The invitations table: each open invitation's link to copy, resend, delete.

const STATUSES = ['pending', 'accepted', 'expired', 'deleted', 'added'] as const;

export function InvitationsScreen() {
  const { t, language } = useI18n();
  const [params, update] = useQueryState();
  const sort = params.get('sort') ?? '-createdAt';
  const status = params.get('status') ?? '';
  const page = Number(params.get('page') ?? '1') || 1;
  const list = useLoad(
    () =>
      api.get<Page<Invitation>>('/invitations', {
        status: status || undefined,
        email: params.get('email') ?? undefined,
        sort,
        page,
        pageSize: 50,
      }),
    [params.toString()],
  );
  const action = useAction();
  const [done, setDone] = useState('');
  const act = async (write: () => Promise<unknown>, message: string) => {
    setDone('');
    if ((await action.run(write)) !== undefined) {
      setDone(message);
      list.reload();
    }
  };
  const sorter = (column: string, label: string) => (
    <SortHeader label={label} column={column} sort={sort} onSort={(s) => update({ sort: s })} />
  );
  return (
    <>
      <Heading>{t('invitations.title')}</Heading>
      <search>
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <ChoiceFilter
            label={t('invitations.status')}
            error={list.error?.forField('status')}
            value={status}
            onChange={(value) => update({ status: value })}
            options={STATUSES.map((s) => [s, t(`invitations.status.${s}`)] as const)}
          />
        </form>
      </search>
      <ErrorNotice>{list.error?.detail ?? action.error?.detail}</ErrorNotice>
      {done && <StatusNotice>{done}</StatusNotice>}
      {list.data && (
        <>
          <table>
            <caption className="visually-hidden">{t('invitations.title')}</caption>
            <thead>
              <tr>
                {sorter('email', t('invitations.email'))}
                {sorter('invitedBy', t('invitations.inviter'))}
                {sorter('role', t('invitations.role'))}
                {sorter('createdAt', t('invitations.created'))}
                {sorter('expiresAt', t('invitations.expires'))}
                {sorter('status', t('invitations.status'))}
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((i) => (
                <tr key={i.id}>
                  <td>{i.email}</td>
                  <td>{i.invitedBy}</td>
                  <td>{i.role}</td>
                  <td>{formatDate(i.createdAt, language)}</td>
                  <td>{formatDate(i.expiresAt, language)}</td>
                  <td>{t(`invitations.status.${i.status}`)}</td>
                  <td>
                    <div className="row-actions">
                      {i.link && <CopyButton text={i.link} label={t('invitations.copyLink')} />}
                      {(i.status === 'pending' || i.status === 'expired') && (
                        <>
                          <button
                            type="button"
                            className="secondary"
                            aria-label={`${t('invitations.resend')} ${i.email}`}
                            onClick={() =>
                              act(
                                () => api.post(`/invitations/${i.id}/resend`),
                                t('invitations.resent', { email: i.email }),
                              )
                            }
                          >
                            {t('invitations.resend')}
                          </button>
                          <button
                            type="button"
                            className="danger"
                            aria-label={`${t('common.delete')} ${i.email}`}
                            onClick={() =>
                              act(
                                () => api.delete(`/invitations/${i.id}`),
                                t('invitations.deleted', { email: i.email }),
                              )
                            }
                          >
                            {t('common.delete')}
                          </button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <ListEnd
            list={list.data}
            none={t('invitations.none')}
            onPage={(p) => update({ page: String(p) })}
          />
        </>
      )}
    </>
  );
}
