import { type FormEvent, useState } from 'react';
import type { Role } from '../../api/admin-types.ts';
import { api } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { CheckboxGroup } from '../../ui/CheckboxGroup.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { Field } from '../../ui/Field.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { EMPTY_ROLE, PRIVILEGES, type RoleForm, roleBody, roleFormOf } from './role-form.ts';
import { ConfirmButtons } from '../../ui/ConfirmButtons.tsx';

// Creates a custom role or edits one; a built-in role's name and privileges are shown, not edited.

export function RoleDialog(props: {
  role: Role | null;
  onClose(): void;
  onSaved(role: Role): void;
}) {
  const { t } = useI18n();
  const editing = props.role;
  const [form, setForm] = useState<RoleForm>(editing ? roleFormOf(editing) : EMPTY_ROLE);
  const action = useAction();
  const set = (change: Partial<RoleForm>) => setForm((f) => ({ ...f, ...change }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = roleBody(form, editing);
    const saved = await action.run(() =>
      editing ? api.patch<Role>(`/roles/${editing.id}`, body) : api.post<Role>('/roles', body),
    );
    if (saved) props.onSaved(saved);
  };
  const locked = editing?.builtin ?? false;
  const title = editing ? t('catalog.editRole', { name: editing.name }) : t('catalog.createRole');
  return (
    <Dialog title={title} open onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorNotice>
          {action.error && action.error.issues.length === 0 && action.error.detail}
        </ErrorNotice>
        {locked && <p className="hint">{t('catalog.builtinHint')}</p>}
        <Field label={t('catalog.name')} error={action.field('name')}>
          {(a) => (
            <input
              {...a}
              value={form.name}
              readOnly={locked}
              onChange={(e) => set({ name: e.target.value })}
            />
          )}
        </Field>
        <Field
          label={t('catalog.aliases')}
          hint={t('catalog.aliasesHint')}
          error={action.field('aliases')}
        >
          {(a) => (
            <input {...a} value={form.aliases} onChange={(e) => set({ aliases: e.target.value })} />
          )}
        </Field>
        {locked ? (
          <p>
            <strong>{t('catalog.privileges')}:</strong>{' '}
            {form.privileges
              .map((p) => t(`privilege.${p as (typeof PRIVILEGES)[number]}`))
              .join(', ')}
          </p>
        ) : (
          <CheckboxGroup
            legend={t('catalog.privileges')}
            options={PRIVILEGES.map((p) => ({ value: p, label: t(`privilege.${p}`) }))}
            checked={form.privileges}
            onChange={(privileges) => set({ privileges })}
            error={action.field('privileges')}
          />
        )}
        <Field
          label={t('catalog.parameterName')}
          hint={t('catalog.parameterNameHint')}
          error={action.field('parameterName')}
        >
          {(a) => (
            <input
              {...a}
              value={form.parameterName}
              onChange={(e) => set({ parameterName: e.target.value })}
            />
          )}
        </Field>
        {form.parameterName.trim() && (
          <label className="check">
            <input
              type="checkbox"
              checked={form.parameterRequired}
              onChange={(e) => set({ parameterRequired: e.target.checked })}
            />
            {t('catalog.parameterRequired')}
          </label>
        )}
        <Field
          label={t('catalog.exclusiveSet')}
          hint={t('catalog.exclusiveSetHint')}
          error={action.field('exclusiveSet')}
        >
          {(a) => (
            <input
              {...a}
              value={form.exclusiveSet}
              onChange={(e) => set({ exclusiveSet: e.target.value })}
            />
          )}
        </Field>
        <ConfirmButtons label={t('common.save')} busy={action.busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
