import { type FormEvent, useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import { CHANGE_KINDS, type ChangeKind, type DirectoryEntry, type Source } from '../../api/sync.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';

// From a directory: choose a source that can be searched, look for users and groups, and add one
// user or the members of a group on the spot — created and linked as a sync would, no whole run.

type Added =
  | { kind: 'user'; login: string; action: string }
  | { kind: 'group'; group: string; members: string[]; skipped: Array<{ member: string }> };

const searchable = async () =>
  (await api.get<{ items: Source[] }>('/sources')).items.filter((s) =>
    s.capabilities.includes('search'),
  );

const isChangeKind = (action: string): action is ChangeKind =>
  (CHANGE_KINDS as readonly string[]).includes(action);

export function DirectoryStep() {
  const { t } = useI18n();
  const sources = useLoad(searchable, []);
  const [chosen, setChosen] = useState('');
  const [text, setText] = useState('');
  const [found, setFound] = useState<DirectoryEntry[] | null>(null);
  const [added, setAdded] = useState<Added | null>(null);
  const search = useAction();
  const add = useAction();
  const resultsId = useId();
  const source = chosen || sources.data?.[0]?.name || '';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setAdded(null);
    add.reset();
    const answer = await search.run(() =>
      api.get<{ items: DirectoryEntry[] }>(`/sources/${source}/search`, { q: text, limit: 50 }),
    );
    setFound(answer ? answer.items : null);
  };
  const addEntry = async (entry: DirectoryEntry) => {
    setAdded(null);
    if (entry.kind === 'user') {
      const answer = await add.run(() =>
        api.post<{ login: string; action: string }>(`/sources/${source}/add`, {
          login: entry.name,
        }),
      );
      if (answer) setAdded({ kind: 'user', login: answer.login, action: answer.action });
    } else {
      const answer = await add.run(() =>
        api.post<Omit<Extract<Added, { kind: 'group' }>, 'kind'>>(`/sources/${source}/add`, {
          group: entry.dn,
        }),
      );
      if (answer) setAdded({ kind: 'group', ...answer });
    }
  };
  // A message the search form shows beside a field is not repeated above the results.
  const searchProblem =
    search.error && !search.field('q') && !search.field('source') ? search.error.detail : null;
  if (sources.data?.length === 0) return <p>{t('directory.noSource')}</p>;
  return (
    <>
      <ErrorNotice>{sources.error?.detail}</ErrorNotice>
      <search>
        <form className="directory-search" onSubmit={submit} noValidate>
          <Field label={t('directory.source')} error={search.field('source')}>
            {(a) => (
              <select {...a} value={source} onChange={(e) => setChosen(e.target.value)}>
                {sources.data?.map((s) => (
                  <option key={s.name}>{s.name}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('directory.search')} error={search.field('q')}>
            {(a) => (
              <input {...a} type="search" value={text} onChange={(e) => setText(e.target.value)} />
            )}
          </Field>
          <button type="submit" className="magnifier" disabled={search.busy || !source}>
            <svg aria-hidden="true" viewBox="0 0 20 20" width="18" height="18">
              <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="2" />
              <line x1="12.5" y1="12.5" x2="18" y2="18" stroke="currentColor" strokeWidth="2" />
            </svg>
            <span>{t('directory.searchButton')}</span>
          </button>
        </form>
      </search>
      <ErrorNotice>{add.error?.detail ?? searchProblem}</ErrorNotice>
      {added && (
        <StatusNotice>
          {added.kind === 'user'
            ? t('directory.userAdded', {
                login: added.login,
                action: isChangeKind(added.action) ? t(`change.${added.action}`) : added.action,
              })
            : t('directory.groupAdded', {
                group: added.group,
                count: added.members.length,
                members: added.members.join(', '),
              })}
          {added.kind === 'group' && added.skipped.length > 0 && (
            <> {t('directory.skipped', { count: added.skipped.length })}</>
          )}{' '}
          <Link href={`/members?source=${encodeURIComponent(source)}`}>
            {t('directory.seeMembers', { source })}
          </Link>
        </StatusNotice>
      )}
      {found && (
        <section aria-labelledby={resultsId}>
          <h3 id={resultsId}>{t('directory.results', { count: found.length })}</h3>
          {found.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('directory.kind')}</th>
                  <th scope="col">{t('members.name')}</th>
                  <th scope="col">{t('members.email')}</th>
                  <th scope="col">{t('directory.dn')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {found.map((entry) => (
                  <tr key={entry.dn}>
                    <td>{t(`directory.kind.${entry.kind}`)}</td>
                    <td>{entry.name}</td>
                    <td>{entry.email ?? '—'}</td>
                    <td>
                      <code>{entry.dn}</code>
                    </td>
                    <td>
                      <button type="button" disabled={add.busy} onClick={() => addEntry(entry)}>
                        {entry.kind === 'user'
                          ? t('directory.addUser', { name: entry.name })
                          : t('directory.addGroup', { name: entry.name })}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </>
  );
}
