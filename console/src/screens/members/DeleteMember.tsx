import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../../api/client.ts';
import type { Member } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { TransferField } from './TransferField.tsx';
import { ConfirmButtons } from '../../ui/ConfirmButtons.tsx';

// Deleting a member is irreversible; what they own goes to the member chosen here.

export function DeleteMember(props: { member: Member }) {
  const { t } = useI18n();
  const [, navigate] = useLocation();
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await action.run(() =>
      api.delete(`/members/${props.member.id}`, target ? { transferTo: target } : {}),
    );
    if (done !== undefined) navigate('/members');
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
        <form onSubmit={submit} noValidate>
          <ErrorNotice>
            {action.error && action.error.issues.length === 0 && action.error.detail}
          </ErrorNotice>
          <TransferField
            value={target}
            onChange={setTarget}
            error={action.field('transferTo')}
            excluded={props.member.id}
          />
          <ConfirmButtons
            label={t('common.delete')}
            busy={action.busy}
            danger
            onCancel={() => setOpen(false)}
          />
        </form>
      </Dialog>
    </>
  );
}
