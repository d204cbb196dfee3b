import { type FormEvent, useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import type { Choices } from './catalog.ts';
import { ChoiceFilter } from '../../ui/ChoiceFilter.tsx';

// Search and filters of the members list, applied together by the Apply button (or Enter).

export const FILTERS = ['search', 'status', 'signedIn', 'source', 'group', 'role', 'userType'];

export function MemberFilters(props: {
  params: URLSearchParams;
  choices: Choices | undefined;
  errors: (field: string) => string | undefined;
  onApply(values: Record<string, string>): void;
}) {
  const { t } = useI18n();
  const current = () => Object.fromEntries(FILTERS.map((f) => [f, props.params.get(f) ?? '']));
  const [values, setValues] = useState<Record<string, string>>(current);
  const key = props.params.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the address is the source of truth
  useEffect(() => setValues(current()), [key]);
  const set = (name: string) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onApply(values);
  };
  const select = (name: string, label: string, options: Array<[string, string]>) => (
    <ChoiceFilter
      label={label}
      error={props.errors(name)}
      value={values[name] ?? ''}
      onChange={(value) => setValues((v) => ({ ...v, [name]: value }))}
      options={options}
    />
  );
  const c = props.choices;
  return (
    <search>
      <form className="filters" onSubmit={submit}>
        <Field label={t('members.search')} error={props.errors('search')}>
          {(a) => <input {...a} type="search" value={values.search} onChange={set('search')} />}
        </Field>
        {select('status', t('members.status'), [
          ['active', t('status.active')],
          ['pending', t('status.pending')],
          ['disabled', t('status.disabled')],
        ])}
        {select('signedIn', t('members.signedIn'), [
          ['true', t('common.yes')],
          ['false', t('common.no')],
        ])}
        {select(
          'source',
          t('members.source'),
          (c?.sources ?? []).map((s) => [s, s]),
        )}
        {select(
          'group',
          t('members.group'),
          (c?.groups ?? []).map((g) => [g.name, g.name]),
        )}
        {select(
          'role',
          t('members.role'),
          (c?.roles ?? []).map((r) => [r.name, r.name]),
        )}
        {select(
          'userType',
          t('members.userType'),
          (c?.userTypes ?? []).map((u) => [u.name, u.name]),
        )}
        <div className="filters-actions">
          <button type="submit">{t('members.apply')}</button>
        </div>
      </form>
    </search>
  );
}
