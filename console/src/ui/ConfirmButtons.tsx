import { useI18n } from '../i18n/i18n.tsx';

// The buttons that end a dialog: its action first, then Cancel. Without `onConfirm` the action
// submits the dialog's form; `danger` marks an action that deletes.
export function ConfirmButtons(props: {
  label: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm?: () => void;
  danger?: boolean;
}) {
  const { t } = useI18n();
  return (
    <div className="buttons">
      <button
        type={props.onConfirm ? 'button' : 'submit'}
        className={props.danger ? 'danger' : undefined}
        disabled={props.busy}
        onClick={props.onConfirm}
      >
        {props.label}
      </button>
      <button type="button" className="secondary" onClick={props.onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}
