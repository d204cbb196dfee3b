import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { ApiKey } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { formatDate } from '../../ui/format.ts';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { SortHeader } from '../../ui/SortHeader.tsx';
import { useLoad } from '../../ui/useLoad.ts';
import { CreateKey } from './CreateKey.tsx';
import { DeleteKey } from './DeleteKey.tsx';

// API keys: a short list, sorted and filtered in the page.

type Column = 'title' | 'role' | 'createdBy' | 'createdAt' | 'expiresAt' | 'lastUsedAt';

function compare(column: Column, a: ApiKey, b: ApiKey): number {
  return String(a[column] ?? '').localeCompare(String(b[column] ?? ''));
}

export function KeysScreen() {
  const { t, language } = useI18n();
  const list = useLoad(() => api.get<{ items: ApiKey[] }>('/keys'), []);
  const [sort, setSort] = useState('-createdAt');
  const [filter, setFilter] = useState('');
  const [deleted, setDeleted] = useState(false);
  const descending = sort.startsWith('-');
  const column = (descending ? sort.slice(1) : sort) as Column;
  const needle = filter.trim().toLowerCase();
  const rows = (list.data?.items ?? [])
    .filter((k) => !needle || `${k.title} ${k.role} ${k.createdBy}`.toLowerCase().includes(needle))
    .sort((a, b) => (descending ? -1 : 1) * compare(column, a, b));
  const sorter = (name: Column, label: string) => (
    <SortHeader label={label} column={name} sort={sort} onSort={setSort} />
  );
  return (
    <>
      <Heading>{t('keys.title')}</Heading>
      <div className="toolbar">
        <CreateKey onCreated={list.reload} />
      </div>
      <search>
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <Field label={t('keys.filter')}>
            {(a) => (
              <input
                {...a}
                type="search"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
              />
            )}
          </Field>
        </form>
      </search>
      <ErrorNotice>{list.error?.detail}</ErrorNotice>
      {deleted && <StatusNotice>{t('keys.deleted')}</StatusNotice>}
      {list.data && (
        <table>
          <caption className="visually-hidden">{t('keys.title')}</caption>
          <thead>
            <tr>
              {sorter('title', t('keys.name'))}
              {sorter('role', t('keys.role'))}
              {sorter('createdBy', t('codes.createdBy'))}
              {sorter('createdAt', t('invitations.created'))}
              {sorter('expiresAt', t('invitations.expires'))}
              {sorter('lastUsedAt', t('keys.lastUsed'))}
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((k) => (
              <tr key={k.id}>
                <td>{k.title}</td>
                <td>{t(`keys.role.${k.role}`)}</td>
                <td>{k.createdBy}</td>
                <td>{formatDate(k.createdAt, language)}</td>
                <td>{formatDate(k.expiresAt, language)}</td>
                <td>{formatDate(k.lastUsedAt, language)}</td>
                <td>
                  <DeleteKey
                    apiKey={k}
                    onDeleted={() => {
                      setDeleted(true);
                      list.reload();
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data && rows.length === 0 && <p>{t('common.empty')}</p>}
    </>
  );
}
