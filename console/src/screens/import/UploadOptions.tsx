import type { ImportModeInfo } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/useLoad.ts';
import { api } from '../../api/client.ts';
import { isCreateUsers, type UploadOptions } from './import-choices.ts';

// The options of an upload that only some modes take: the invitation's message (modes that
// invite), an email for rows without one (modes where the email is optional), and the SAML or
// OpenID Connect source the IDs belong to (add-org-ids, when the organization has several).

export function UploadOptionsFields(props: {
  choice: string;
  mode: ImportModeInfo | undefined;
  options: UploadOptions;
  onOptions(options: UploadOptions): void;
  error(field: string): string | undefined;
}) {
  const { t } = useI18n();
  const sources = useLoad(
    () =>
      api
        .get<{ items: Array<{ name: string; type: string }> }>('/sources')
        .then((s) => s.items.filter((i) => i.type === 'saml' || i.type === 'oidc')),
    [],
  );
  const set = (change: Partial<UploadOptions>) => props.onOptions({ ...props.options, ...change });
  const emailOptional =
    isCreateUsers(props.choice) ||
    props.mode?.columns.some((c) => c.field === 'email' && !c.required);
  return (
    <>
      {props.mode?.invitation && (
        <Field
          label={t('import.message')}
          hint={t('import.messageHint')}
          error={props.error('message')}
        >
          {(a) => (
            <textarea
              {...a}
              rows={3}
              maxLength={2000}
              value={props.options.message}
              onChange={(e) => set({ message: e.target.value })}
            />
          )}
        </Field>
      )}
      {emailOptional && (
        <Field
          label={t('import.defaultEmail')}
          hint={t('import.defaultEmailHint')}
          error={props.error('defaultEmail')}
        >
          {(a) => (
            <input
              {...a}
              type="email"
              value={props.options.defaultEmail}
              onChange={(e) => set({ defaultEmail: e.target.value })}
            />
          )}
        </Field>
      )}
      {props.choice === 'add-org-ids' && (sources.data?.length ?? 0) > 1 && (
        <Field label={t('import.source')} error={props.error('source')}>
          {(a) => (
            <select
              {...a}
              value={props.options.source}
              onChange={(e) => set({ source: e.target.value })}
            >
              <option value="">{t('import.sourceByType')}</option>
              {sources.data?.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </>
  );
}
