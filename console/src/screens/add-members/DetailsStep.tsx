import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import type { Choices } from '../members/catalog.ts';
import { createsAccount, type WizardValues } from './modes.ts';

// The second step: the fields the chosen mode takes, each showing the API's message for it.

export function DetailsStep(props: {
  values: WizardValues;
  set(name: keyof WizardValues, value: string): void;
  choices: Choices | undefined;
  field(name: string): string | undefined;
}) {
  const { t } = useI18n();
  const { values, set, choices } = props;
  const text = (name: keyof WizardValues, label: string, type = 'text', hint?: string) => (
    <Field label={label} error={props.field(name)} hint={hint}>
      {(a) => (
        <input
          {...a}
          type={type}
          value={values[name]}
          onChange={(e) => set(name, e.target.value)}
        />
      )}
    </Field>
  );
  const select = (name: keyof WizardValues, label: string, options: ReactNode) => (
    <Field label={label} error={props.field(name)}>
      {(a) => (
        <select {...a} value={values[name]} onChange={(e) => set(name, e.target.value)}>
          {options}
        </select>
      )}
    </Field>
  );
  const account = createsAccount(values.mode);
  const role = choices?.roles.find((r) => r.name === values.role);
  return (
    <div className="form-grid">
      <Field
        label={account ? t('add.email') : t('add.emails')}
        hint={account ? undefined : t('add.emailsHint')}
        error={props.field('emails') ?? props.field('email')}
      >
        {(a) =>
          account ? (
            <input
              {...a}
              type="email"
              value={values.emails}
              onChange={(e) => set('emails', e.target.value)}
            />
          ) : (
            <textarea
              {...a}
              rows={4}
              value={values.emails}
              onChange={(e) => set('emails', e.target.value)}
            />
          )
        }
      </Field>
      {account && text('username', t('members.username'))}
      {account && text('firstName', t('add.firstName'))}
      {account && text('lastName', t('add.lastName'))}
      {values.mode === 'add-without-invitation' &&
        text('password', t('add.password'), 'password', t('add.passwordHint'))}
      {select(
        'userType',
        t('members.userType'),
        <>
          <option value="">{t('add.default')}</option>
          {choices?.userTypes.map((u) => (
            <option key={u.id}>{u.name}</option>
          ))}
        </>,
      )}
      {select(
        'role',
        t('members.role'),
        <>
          <option value="">{t('add.default')}</option>
          {(values.userType
            ? (choices?.userTypes.find((u) => u.name === values.userType)?.compatibleRoles ?? [])
            : (choices?.roles.map((r) => r.name) ?? [])
          ).map((name) => (
            <option key={name}>{name}</option>
          ))}
        </>,
      )}
      {role?.parameterName && text('roleParameter', role.parameterName)}
      {select(
        'group',
        t('members.group'),
        <>
          <option value="">{t('common.none')}</option>
          {choices?.groups.map((g) => (
            <option key={g.id}>{g.name}</option>
          ))}
        </>,
      )}
      {select(
        'language',
        t('add.mailLanguage'),
        <>
          <option value="en">{t('language.en')}</option>
          <option value="fr">{t('language.fr')}</option>
          <option value="de">{t('language.de')}</option>
        </>,
      )}
      {account && text('source', t('add.source'), 'text', t('add.sourceHint'))}
      {account && text('externalId', t('member.externalId'))}
      <Field label={t('add.message')} error={props.field('message')}>
        {(a) => (
          <textarea
            {...a}
            rows={3}
            value={values.message}
            onChange={(e) => set('message', e.target.value)}
          />
        )}
      </Field>
    </div>
  );
}
