import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { GroupEntry } from '../../api/admin-types.ts';
import { api } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { Field } from '../../ui/Field.tsx';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import { GroupMembers } from './GroupMembers.tsx';
import { ConfirmButtons } from '../../ui/ConfirmButtons.tsx';

// One group: rename it, see and change its members, delete it (the members stay).

export function GroupDetail({ id }: { id: string }) {
  const { t } = useI18n();
  const [, navigate] = useLocation();
  const group = useLoad(() => api.get<GroupEntry>(`/groups/${id}`), [id]);
  const rename = useAction();
  const remove = useAction();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    if (!group.data) return;
    setName(group.data.name);
    setDescription(group.data.description);
  }, [group.data]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (await rename.run(() => api.patch<GroupEntry>(`/groups/${id}`, { name, description }))) {
      setSaved(true);
      group.reload();
    }
  };
  const destroy = async () => {
    if ((await remove.run(() => api.delete(`/groups/${id}`))) !== undefined)
      navigate(`/groups?deleted=${encodeURIComponent(group.data?.name ?? '')}`);
  };
  const g = group.data;
  return (
    <>
      <p>
        <Link href="/groups">{t('groups.back')}</Link>
      </p>
      <Heading>{g ? g.name : t('app.loading')}</Heading>
      <ErrorNotice>{group.error?.detail ?? remove.error?.detail}</ErrorNotice>
      {g && (
        <div className="detail">
          <GroupMembers groupId={g.id} onChange={group.reload} />
          <aside className="panel">
            <form onSubmit={submit} noValidate aria-labelledby="group-rename">
              <h2 id="group-rename">{t('groups.rename')}</h2>
              <ErrorNotice>
                {rename.error && rename.error.issues.length === 0 && rename.error.detail}
              </ErrorNotice>
              <Field label={t('groups.name')} error={rename.field('name')}>
                {(a) => <input {...a} value={name} onChange={(e) => setName(e.target.value)} />}
              </Field>
              <Field label={t('groups.description')} error={rename.field('description')}>
                {(a) => (
                  <input
                    {...a}
                    value={description}
                    onChange={(e) => setDescription(e.target.value)}
                  />
                )}
              </Field>
              <button type="submit" disabled={rename.busy}>
                {t('common.save')}
              </button>
              {saved && <StatusNotice>{t('common.saved')}</StatusNotice>}
            </form>
            <div className="buttons">
              <button type="button" className="danger" onClick={() => setConfirming(true)}>
                {t('groups.delete')}
              </button>
            </div>
            <Dialog
              title={t('groups.deleteConfirm', { name: g.name })}
              open={confirming}
              onClose={() => setConfirming(false)}
            >
              <p>{t('groups.deleteHint')}</p>
              <ConfirmButtons
                label={t('common.delete')}
                busy={remove.busy}
                danger
                onConfirm={destroy}
                onCancel={() => setConfirming(false)}
              />
            </Dialog>
          </aside>
        </div>
      )}
    </>
  );
}
