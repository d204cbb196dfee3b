import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { CatalogRole, CreatedCodes, Group } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { Field } from '../../ui/Field.tsx';
import { formatDate } from '../../ui/format.ts';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { ConfirmButtons } from '../../ui/ConfirmButtons.tsx';

// The create dialog: 1–10 codes, 1–90 days, the roles they grant, a role's parameter, the scope. The codes
// are shown once, here, with "copy" for each and "copy all" with their scope and validity.

export function CreateCodes(props: { roles: CatalogRole[]; groups: Group[]; onCreated(): void }) {
  const { t, language } = useI18n();
  const [open, setOpen] = useState(false);
  const [count, setCount] = useState('1');
  const [days, setDays] = useState('30');
  const [roles, setRoles] = useState<string[]>([]);
  const [scope, setScope] = useState('');
  const [parameter, setParameter] = useState('');
  const [created, setCreated] = useState<CreatedCodes | null>(null);
  const action = useAction();
  const close = () => {
    setOpen(false);
    setCreated(null);
    action.reset();
  };
  // A code carries the parameter of the one role of its roles that takes one (a Vertex ID).
  const parameterized = props.roles.find((r) => roles.includes(r.name) && r.parameterName);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const answer = await action.run(() =>
      api.post<CreatedCodes>('/codes', {
        count: Number(count),
        validityDays: Number(days),
        roles,
        ...(parameter.trim() ? { roleParameter: parameter } : {}),
        ...(scope ? { scope } : {}),
      }),
    );
    if (answer) {
      setCreated(answer);
      props.onCreated();
    }
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        {t('codes.create')}
      </button>
      <Dialog title={t('codes.create')} open={open} onClose={close}>
        {created ? (
          <div>
            <p role="status">
              {t('codes.created', {
                count: created.codes.length,
                until: formatDate(created.validUntil, language),
              })}
            </p>
            <ul className="codes">
              {created.codes.map((code) => (
                <li key={code}>
                  <code>{code}</code> <CopyButton text={code} label={t('codes.copy')} />
                </li>
              ))}
            </ul>
            <div className="buttons">
              <CopyButton text={created.copyText} label={t('codes.copyAll')} focus />
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
            <Field label={t('codes.count')} error={action.field('count')}>
              {(a) => (
                <input
                  {...a}
                  type="number"
                  min={1}
                  max={10}
                  value={count}
                  onChange={(e) => setCount(e.target.value)}
                />
              )}
            </Field>
            <Field label={t('codes.validity')} error={action.field('validityDays')}>
              {(a) => (
                <input
                  {...a}
                  type="number"
                  min={1}
                  max={90}
                  value={days}
                  onChange={(e) => setDays(e.target.value)}
                />
              )}
            </Field>
            <Field label={t('codes.roles')} error={action.field('roles')}>
              {(a) => (
                <select
                  {...a}
                  multiple
                  size={Math.min(6, props.roles.length)}
                  value={roles}
                  onChange={(e) => setRoles([...e.target.selectedOptions].map((o) => o.value))}
                >
                  {props.roles.map((r) => (
                    <option key={r.id} value={r.name}>
                      {r.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {parameterized && (
              <Field
                label={t('codes.roleParameter', {
                  parameter: parameterized.parameterName!,
                  role: parameterized.name,
                })}
                error={action.field('roleParameter')}
              >
                {(a) => (
                  <input {...a} value={parameter} onChange={(e) => setParameter(e.target.value)} />
                )}
              </Field>
            )}
            <Field label={t('codes.scope')} error={action.field('scope')}>
              {(a) => (
                <select {...a} value={scope} onChange={(e) => setScope(e.target.value)}>
                  <option value="">{t('codes.organization')}</option>
                  {props.groups.map((g) => (
                    <option key={g.id} value={g.name}>
                      {g.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <ConfirmButtons label={t('codes.create')} busy={action.busy} onCancel={close} />
          </form>
        )}
      </Dialog>
    </>
  );
}
