import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { ApiKey } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { TransferField } from '../members/TransferField.tsx';
import { ConfirmButtons } from '../../ui/ConfirmButtons.tsx';

export function DeleteKey(props: { apiKey: ApiKey; onDeleted(): void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await action.run(() =>
      api.delete(`/keys/${props.apiKey.id}`, target ? { transferTo: target } : {}),
    );
    if (done !== undefined) {
      setOpen(false);
      props.onDeleted();
    }
  };
  const title = t('keys.deleteConfirm', { name: props.apiKey.title });
  return (
    <>
      <button type="button" className="danger" aria-label={title} onClick={() => setOpen(true)}>
        {t('common.delete')}
      </button>
      <Dialog title={title} open={open} onClose={() => setOpen(false)}>
        <form onSubmit={submit} noValidate>
          <ErrorNotice>
            {action.error && action.error.issues.length === 0 && action.error.detail}
          </ErrorNotice>
          <TransferField value={target} onChange={setTarget} error={action.field('transferTo')} />
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
