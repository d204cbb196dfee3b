import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../../api/client.ts';
import type { Member, Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { Field } from '../../ui/Field.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import type { Choices } from './catalog.ts';

// Deleting a member hands what they own to another member: only active members whose role may
// own content are offered (the API checks the same rule).

const OWNING_PRIVILEGE = 'create_content';

export function DeleteMember(props: { member: Member; choices: Choices }) {
  const { t } = useI18n();
  const [, navigate] = useLocation();
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState('');
  const action = useAction();
  const owners = new Set(
    props.choices.roles.filter((r) => r.privileges.includes(OWNING_PRIVILEGE)).map((r) => r.id),
  );
  const candidates = useLoad(
    () =>
      open
        ? api.get<Page<Member>>('/members', { status: 'active', pageSize: 500, sort: 'username' })
        : Promise.resolve(undefined),
    [open],
  );
  const eligible = (candidates.data?.items ?? []).filter(
    (m) => m.id !== props.member.id && owners.has(m.role.id),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await action.run(() =>
      api.delete(`/members/${props.member.id}`, target ? { transferTo: target } : {}),
    );
    if (done !== undefined)
      navigate(`/members?deleted=${encodeURIComponent(props.member.username)}`);
  };
  return (
    <>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        {t('member.delete')}
      </button>
      <Dialog
        title={t('member.deleteConfirm', { username: props.member.username })}
        open={open}
        onClose={() => setOpen(false)}
      >
        <form onSubmit={submit}>
          <ErrorNotice>
            {action.error && action.error.issues.length === 0 && action.error.detail}
          </ErrorNotice>
          <Field
            label={t('member.transferTo')}
            hint={t('member.transferHint')}
            error={action.field('transferTo')}
          >
            {(a) => (
              <select {...a} value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value="">{t('common.none')}</option>
                {eligible.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.username}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div className="buttons">
            <button type="submit" className="danger" disabled={action.busy}>
              {t('common.delete')}
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
