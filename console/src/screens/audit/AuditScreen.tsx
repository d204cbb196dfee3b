import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import type { AuditRecord } from '../../api/admin-types.ts';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { formatDate } from '../../ui/format.ts';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { ListEnd } from '../../ui/Pager.tsx';
import { useLoad } from '../../ui/useLoad.ts';
import { useQueryState } from '../../ui/useQueryState.ts';
import {
  AUDIT_FILTERS,
  type AuditFilters,
  fromDateTimeLocal,
  memberOf,
  targetHref,
  targetLabel,
  toDateTimeLocal,
} from './audit-view.ts';
import { ChoiceFilter } from '../../ui/ChoiceFilter.tsx';

// The audit log, newest first: who did what to which target and when, filtered by any of these.

const TARGET_TYPES = [
  'member',
  'group',
  'role',
  'license',
  'invitation',
  'invitation_code',
  'api_key',
  'organization',
  'import',
  'resource',
];

export function AuditScreen() {
  const { t, language } = useI18n();
  const [params, update] = useQueryState();
  const applied = Object.fromEntries(
    AUDIT_FILTERS.map((f) => [f, params.get(f) ?? '']),
  ) as AuditFilters;
  const page = Number(params.get('page') ?? '1') || 1;
  const [draft, setDraft] = useState<AuditFilters>({
    ...applied,
    since: toDateTimeLocal(applied.since),
    until: toDateTimeLocal(applied.until),
  });
  const list = useLoad(
    () => api.get<Page<AuditRecord>>('/audit', { ...applied, page, pageSize: 50 }),
    [params.toString()],
  );
  const set = (name: keyof AuditFilters, value: string) =>
    setDraft((d) => ({ ...d, [name]: value }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    update({
      ...draft,
      since: fromDateTimeLocal(draft.since),
      until: fromDateTimeLocal(draft.until),
    });
  };
  const text = (name: keyof AuditFilters, label: string, hint?: string, type = 'text') => (
    <Field label={label} hint={hint} error={list.error?.forField(name)}>
      {(a) => (
        <input {...a} type={type} value={draft[name]} onChange={(e) => set(name, e.target.value)} />
      )}
    </Field>
  );
  return (
    <>
      <Heading>{t('audit.title')}</Heading>
      <search>
        <form className="filters" onSubmit={apply} noValidate>
          {text('actor', t('audit.actor'), t('audit.actorHint'))}
          {text('action', t('audit.action'), t('audit.actionHint'))}
          <ChoiceFilter
            label={t('audit.targetType')}
            error={list.error?.forField('targetType')}
            value={draft.targetType}
            onChange={(value) => set('targetType', value)}
            options={TARGET_TYPES.map((type) => [type, type] as const)}
          />
          {text('targetId', t('audit.targetId'))}
          {text('since', t('audit.since'), undefined, 'datetime-local')}
          {text('until', t('audit.until'), undefined, 'datetime-local')}
          <div className="filters-actions">
            <button type="submit">{t('members.apply')}</button>
          </div>
        </form>
      </search>
      <ErrorNotice>{list.error?.detail}</ErrorNotice>
      {list.data && (
        <>
          <table>
            <caption className="visually-hidden">{t('audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.at')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.member')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((r) => (
                <tr key={r.id}>
                  <td>{formatDate(r.at, language)}</td>
                  <td>
                    {r.actor.label} <span className="hint">({r.actor.type})</span>
                  </td>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td>
                    <Target record={r} />
                  </td>
                  <td>{memberOf(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ListEnd
            list={list.data}
            none={t('audit.none')}
            onPage={(p) => update({ page: String(p) })}
          />
        </>
      )}
    </>
  );
}

function Target({ record }: { record: AuditRecord }) {
  const href = targetHref(record);
  return (
    <>
      {record.target.type}:{' '}
      {href ? <Link href={href}>{targetLabel(record)}</Link> : targetLabel(record)}
    </>
  );
}
