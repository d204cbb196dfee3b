import { type FormEvent, useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import type { Member, Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { ListEnd } from '../../ui/Pager.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';

// A group's members, page by page, with a form to add one by username and a button to remove each.

export function GroupMembers(props: { groupId: string; onChange(): void }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const members = useLoad(
    () => api.get<Page<Member>>(`/groups/${props.groupId}/members`, { page, pageSize: 50 }),
    [props.groupId, page],
  );
  const action = useAction();
  const removal = useAction();
  const [username, setUsername] = useState('');
  const [done, setDone] = useState('');
  // Members whose name, username or email holds what is typed, offered as the browser's suggestions.
  const suggestionsId = useId();
  const typed = username.trim();
  const suggestions = useLoad(
    () =>
      typed.length < 2
        ? Promise.resolve([])
        : api
            .get<Page<Member>>('/members', { search: typed, pageSize: 10 })
            .then((p) => p.items.map((m) => m.username)),
    [typed],
  );
  const changed = (message: string) => {
    setDone(message);
    members.reload();
    props.onChange();
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setDone('');
    const who = username.trim();
    if (!who) return;
    const answer = await action.run(() =>
      api.put<{ added: boolean }>(`/groups/${props.groupId}/members/${encodeURIComponent(who)}`),
    );
    if (answer) {
      setUsername('');
      changed(t(answer.added ? 'groups.added' : 'groups.alreadyIn', { username: who }));
    }
  };
  const remove = async (m: Member) => {
    setDone('');
    if (await removal.run(() => api.delete(`/groups/${props.groupId}/members/${m.id}`)))
      changed(t('groups.removed', { username: m.username }));
  };
  return (
    <section aria-labelledby="group-members">
      <h2 id="group-members">{t('groups.members')}</h2>
      <form className="filters" onSubmit={add} noValidate>
        <Field label={t('groups.addUsername')} error={action.error?.detail}>
          {(a) => (
            <input
              {...a}
              list={suggestionsId}
              autoComplete="off"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          )}
        </Field>
        <datalist id={suggestionsId}>
          {suggestions.data?.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <div className="filters-actions">
          <button type="submit" disabled={action.busy}>
            {t('groups.add')}
          </button>
        </div>
      </form>
      <ErrorNotice>{members.error?.detail ?? removal.error?.detail}</ErrorNotice>
      {done && <StatusNotice>{done}</StatusNotice>}
      {members.data && (
        <>
          <table>
            <caption className="visually-hidden">{t('groups.members')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('members.username')}</th>
                <th scope="col">{t('members.name')}</th>
                <th scope="col">{t('members.email')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {members.data.items.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Link href={`/members/${m.id}`}>{m.username}</Link>
                  </td>
                  <td>{m.displayName}</td>
                  <td>{m.email}</td>
                  <td>
                    <button
                      type="button"
                      className="danger"
                      aria-label={t('groups.remove', { username: m.username })}
                      disabled={removal.busy}
                      onClick={() => remove(m)}
                    >
                      {t('groups.removeShort')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <ListEnd list={members.data} none={t('groups.noMembers')} onPage={setPage} />
        </>
      )}
    </section>
  );
}
