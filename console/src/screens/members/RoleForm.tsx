import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { Member } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import type { Choices } from './catalog.ts';

// Role and user type together: only the roles the chosen user type allows are offered.

export function RoleForm(props: { member: Member; choices: Choices; onSaved(m: Member): void }) {
  const { t } = useI18n();
  const action = useAction();
  const [userType, setUserType] = useState(props.member.userType.name);
  const [role, setRole] = useState(props.member.role.name);
  const [parameter, setParameter] = useState(props.member.role.parameter ?? '');
  const [saved, setSaved] = useState(false);
  const compatible =
    props.choices.userTypes.find((u) => u.name === userType)?.compatibleRoles ?? [];
  const roleInfo = props.choices.roles.find((r) => r.name === role);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const member = await action.run(() =>
      api.patch<Member>(`/members/${props.member.id}`, {
        userType,
        role,
        ...(roleInfo?.parameterName ? { roleParameter: parameter } : {}),
      }),
    );
    if (member) {
      setSaved(true);
      props.onSaved(member);
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="role-form-title">
      <h2 id="role-form-title">{t('member.edit')}</h2>
      <ErrorNotice>
        {action.error && action.error.issues.length === 0 && action.error.detail}
      </ErrorNotice>
      <Field label={t('members.userType')} error={action.field('userType')}>
        {(a) => (
          <select
            {...a}
            value={userType}
            onChange={(e) => {
              const next = e.target.value;
              setUserType(next);
              const allowed = props.choices.userTypes.find((u) => u.name === next)?.compatibleRoles;
              if (allowed && !allowed.includes(role)) setRole(allowed[0] ?? '');
            }}
          >
            {props.choices.userTypes.map((u) => (
              <option key={u.id}>{u.name}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('members.role')} error={action.field('role')}>
        {(a) => (
          <select {...a} value={role} onChange={(e) => setRole(e.target.value)}>
            {compatible.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        )}
      </Field>
      {roleInfo?.parameterName && (
        <Field label={roleInfo.parameterName} error={action.field('roleParameter')}>
          {(a) => <input {...a} value={parameter} onChange={(e) => setParameter(e.target.value)} />}
        </Field>
      )}
      <button type="submit" disabled={action.busy}>
        {t('common.save')}
      </button>
      {saved && <StatusNotice>{t('common.saved')}</StatusNotice>}
    </form>
  );
}
