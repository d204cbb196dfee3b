import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { ApiKey } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { Field } from '../../ui/Field.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { ConfirmButtons } from '../../ui/ConfirmButtons.tsx';

// A new API key: its secret is in the creation answer only, so it is shown once, with a copy
// button, and never again.

export function CreateKey(props: { onCreated(): void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [role, setRole] = useState('viewer');
  const [days, setDays] = useState('90');
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  const close = () => {
    setOpen(false);
    setSecret(null);
    setTitle('');
    action.reset();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const key = await action.run(() =>
      api.post<ApiKey & { secret: string }>('/keys', {
        title,
        role,
        ...(days ? { expiresInDays: Number(days) } : {}),
      }),
    );
    if (key) {
      setSecret(key.secret);
      props.onCreated();
    }
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        {t('keys.create')}
      </button>
      <Dialog title={t('keys.create')} open={open} onClose={close}>
        {secret ? (
          <div>
            <p>{t('keys.secretOnce')}</p>
            <p>
              <code className="secret">{secret}</code>
            </p>
            <div className="buttons">
              <CopyButton text={secret} label={t('keys.copySecret')} />
              <button type="button" className="secondary" onClick={close}>
                {t('common.close')}
              </button>
            </div>
          </div>
        ) : (
          <form onSubmit={submit} noValidate>
            <ErrorNotice>
              {action.error && action.error.issues.length === 0 && action.error.detail}
            </ErrorNotice>
            <Field label={t('keys.name')} error={action.field('title')}>
              {(a) => <input {...a} value={title} onChange={(e) => setTitle(e.target.value)} />}
            </Field>
            <Field label={t('keys.role')} error={action.field('role')}>
              {(a) => (
                <select {...a} value={role} onChange={(e) => setRole(e.target.value)}>
                  <option value="viewer">{t('keys.role.viewer')}</option>
                  <option value="editor">{t('keys.role.editor')}</option>
                </select>
              )}
            </Field>
            <Field label={t('keys.days')} error={action.field('expiresInDays')}>
              {(a) => (
                <input
                  {...a}
                  type="number"
                  min={1}
                  value={days}
                  onChange={(e) => setDays(e.target.value)}
                />
              )}
            </Field>
            <ConfirmButtons label={t('keys.create')} busy={action.busy} onCancel={close} />
          </form>
        )}
      </Dialog>
    </>
  );
}
