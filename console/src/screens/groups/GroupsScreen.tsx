import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import type { GroupEntry } from '../../api/admin-types.ts';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { ListEnd } from '../../ui/Pager.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import { useQueryState } from '../../ui/useQueryState.ts';

// The groups: search by name, create one; each opens on its members.

export function GroupsScreen() {
  const { t } = useI18n();
  const [params, update] = useQueryState();
  const search = params.get('search') ?? '';
  const page = Number(params.get('page') ?? '1') || 1;
  const deleted = params.get('deleted');
  const [typed, setTyped] = useState(search);
  const list = useLoad(
    () => api.get<Page<GroupEntry>>('/groups', { search, page, pageSize: 50 }),
    [search, page],
  );
  const create = useAction();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setCreated('');
    if (deleted) update({ deleted: '' });
    const group = await create.run(() =>
      api.post<GroupEntry>('/groups', { name, ...(description && { description }) }),
    );
    if (group) {
      setCreated(t('groups.created', { name: group.name }));
      setName('');
      setDescription('');
      list.reload();
    }
  };
  return (
    <>
      <Heading>{t('groups.title')}</Heading>
      <search>
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            update({ search: typed.trim(), deleted: '' });
          }}
        >
          <Field label={t('groups.search')} error={list.error?.forField('search')}>
            {(a) => (
              <input
                {...a}
                type="search"
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
              />
            )}
          </Field>
          <div className="filters-actions">
            <button type="submit">{t('members.apply')}</button>
          </div>
        </form>
      </search>
      <form className="filters" onSubmit={submit} noValidate aria-labelledby="group-create">
        <h2 id="group-create" className="visually-hidden">
          {t('groups.create')}
        </h2>
        <Field label={t('groups.name')} error={create.field('name')}>
          {(a) => <input {...a} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t('groups.description')} error={create.field('description')}>
          {(a) => (
            <input {...a} value={description} onChange={(e) => setDescription(e.target.value)} />
          )}
        </Field>
        <div className="filters-actions">
          <button type="submit" disabled={create.busy}>
            {t('groups.create')}
          </button>
        </div>
      </form>
      <ErrorNotice>
        {list.error?.detail ?? (create.error?.issues.length === 0 && create.error.detail)}
      </ErrorNotice>
      {created && <StatusNotice>{created}</StatusNotice>}
      {deleted && !created && <StatusNotice>{t('groups.deleted', { name: deleted })}</StatusNotice>}
      {list.data && (
        <>
          <table>
            <caption className="visually-hidden">{t('groups.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('groups.name')}</th>
                <th scope="col">{t('groups.description')}</th>
                <th scope="col">{t('groups.members')}</th>
                <th scope="col">{t('members.source')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((g) => (
                <tr key={g.id}>
                  <td>
                    <Link href={`/groups/${g.id}`}>{g.name}</Link>
                  </td>
                  <td>{g.description}</td>
                  <td>{g.memberCount}</td>
                  <td>{g.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ListEnd
            list={list.data}
            none={t('groups.none')}
            onPage={(p) => update({ page: String(p) })}
          />
        </>
      )}
    </>
  );
}
