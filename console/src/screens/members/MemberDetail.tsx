import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import type { Member } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import { loadChoices } from './catalog.ts';
import { DeleteMember } from './DeleteMember.tsx';
import { MemberFacts } from './MemberFacts.tsx';
import { RoleForm } from './RoleForm.tsx';

export function MemberDetail({ id }: { id: string }) {
  const { t } = useI18n();
  const member = useLoad(() => api.get<Member>(`/members/${id}`), [id]);
  const choices = useLoad(loadChoices, []);
  const status = useAction();
  const m = member.data;
  const toggle = async () => {
    if (!m) return;
    const next = await status.run(() =>
      api.post<Member>(`/members/${m.id}/${m.status === 'disabled' ? 'enable' : 'disable'}`),
    );
    if (next) member.reload();
  };
  return (
    <>
      <p>
        <Link href="/members">{t('member.back')}</Link>
      </p>
      <Heading>{m ? m.username : t('app.loading')}</Heading>
      <ErrorNotice>{member.error?.detail ?? status.error?.detail}</ErrorNotice>
      {m && (
        <div className="detail">
          <div>
            <MemberFacts member={m} />
          </div>
          <aside className="panel">
            {choices.data && (
              <RoleForm member={m} choices={choices.data} onSaved={() => member.reload()} />
            )}
            <div className="buttons">
              {m.status !== 'pending' && (
                <button type="button" className="secondary" disabled={status.busy} onClick={toggle}>
                  {m.status === 'disabled' ? t('member.enable') : t('member.disable')}
                </button>
              )}
              <DeleteMember member={m} />
            </div>
          </aside>
        </div>
      )}
    </>
  );
}
