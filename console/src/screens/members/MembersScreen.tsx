import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import type { Member, Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../ui/format.ts';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { ListEnd } from '../../ui/Pager.tsx';
import { SortHeader } from '../../ui/SortHeader.tsx';
import { useLoad } from '../../ui/useLoad.ts';
import { useQueryState } from '../../ui/useQueryState.ts';
import { loadChoices } from './catalog.ts';
import { FILTERS, MemberFilters } from './MemberFilters.tsx';

// The members list: search, filters, sort and pages, all answered by the API (GET /members), so
// that it stays fluid at 100,000 members.

const PAGE_SIZE = 50;

export function MembersScreen() {
  const { t, language } = useI18n();
  const [params, update] = useQueryState();
  const sort = params.get('sort') ?? 'username';
  const page = Number(params.get('page') ?? '1') || 1;
  const query = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? undefined]));
  const list = useLoad(
    () => api.get<Page<Member>>('/members', { ...query, sort, page, pageSize: PAGE_SIZE }),
    [params.toString()],
  );
  const choices = useLoad(loadChoices, []);
  const errors = (field: string) => list.error?.forField(field);
  const sorter = (column: string, label: string) => (
    <SortHeader label={label} column={column} sort={sort} onSort={(s) => update({ sort: s })} />
  );
  return (
    <>
      <Heading>{t('members.title')}</Heading>
      <MemberFilters
        params={params}
        choices={choices.data}
        errors={errors}
        onApply={(values) => update(values)}
      />
      <ErrorNotice>{list.error && list.error.issues.length === 0 && list.error.detail}</ErrorNotice>
      {list.data && (
        <>
          <table aria-busy={list.loading}>
            <caption className="visually-hidden">{t('members.title')}</caption>
            <thead>
              <tr>
                {sorter('username', t('members.username'))}
                {sorter('lastName', t('members.name'))}
                {sorter('email', t('members.email'))}
                {sorter('status', t('members.status'))}
                <th scope="col">{t('members.role')}</th>
                <th scope="col">{t('members.userType')}</th>
                {sorter('lastSignInAt', t('members.lastSignIn'))}
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Link href={`/members/${m.id}`}>{m.username}</Link>
                  </td>
                  <td>{[m.firstName, m.lastName].filter(Boolean).join(' ')}</td>
                  <td>{m.email}</td>
                  <td>
                    <span className={`badge badge-${m.status}`}>{t(`status.${m.status}`)}</span>
                  </td>
                  <td>{m.role.name}</td>
                  <td>{m.userType.name}</td>
                  <td>{formatDate(m.lastSignInAt, language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ListEnd
            list={list.data}
            none={t('members.none')}
            onPage={(p) => update({ page: String(p) })}
          />
        </>
      )}
    </>
  );
}
