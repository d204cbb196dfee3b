import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type {
  GroupEntry,
  License,
  Organization,
  Role,
  UserTypeEntry,
} from '../../api/admin-types.ts';
import type { Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import { DefaultsSection } from './DefaultsSection.tsx';
import { formOf, patchOf, type SettingsChoices, type SettingsForm } from './settings-form.ts';

// Organization settings: name, membership limit, invitations, and the defaults every new member
// receives. One save sends it all; the API checks it all in one transaction, so a refused save
// changes nothing and each message appears next to the field it names.

async function loadSettings(): Promise<{ org: Organization; choices: SettingsChoices }> {
  const [org, roles, userTypes, groups, licenses] = await Promise.all([
    api.get<Organization>('/organization'),
    api.get<{ items: Role[] }>('/roles'),
    api.get<{ items: UserTypeEntry[] }>('/user-types'),
    api.get<Page<GroupEntry>>('/groups', { pageSize: 200 }),
    api.get<{ items: License[] }>('/licenses'),
  ]);
  return {
    org,
    choices: {
      roles: roles.items,
      userTypes: userTypes.items,
      groups: groups.items,
      licenses: licenses.items,
    },
  };
}

export function SettingsScreen() {
  const { t } = useI18n();
  const loaded = useLoad(loadSettings, []);
  const action = useAction();
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [saved, setSaved] = useState(false);
  const [badSettings, setBadSettings] = useState(false);
  useEffect(() => {
    if (loaded.data) setForm(formOf(loaded.data.org));
  }, [loaded.data]);
  const set = (change: Partial<SettingsForm>) => {
    setSaved(false);
    setForm((f) => (f ? { ...f, ...change } : f));
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    setSaved(false);
    const patch = patchOf(form);
    setBadSettings('invalidSettings' in patch);
    if (!('body' in patch)) return;
    const org = await action.run(() => api.patch<Organization>('/organization', patch.body));
    if (org) {
      setForm(formOf(org));
      setSaved(true);
    }
  };
  const field = (name: string) => action.field(name);
  return (
    <>
      <Heading>{t('settings.title')}</Heading>
      <ErrorNotice>
        {loaded.error?.detail ??
          (action.error && action.error.issues.length === 0
            ? action.error.detail
            : action.error && t('settings.refused'))}
      </ErrorNotice>
      {form && loaded.data && (
        <form className="settings" onSubmit={submit} noValidate>
          <section aria-labelledby="settings-general">
            <h2 id="settings-general">{t('settings.general')}</h2>
            <div className="form-grid">
              <Field label={t('settings.name')} error={field('name')}>
                {(a) => (
                  <input {...a} value={form.name} onChange={(e) => set({ name: e.target.value })} />
                )}
              </Field>
              <Field
                label={t('settings.membershipLimit')}
                hint={t('settings.membershipLimitHint')}
                error={field('membershipLimit')}
              >
                {(a) => (
                  <input
                    {...a}
                    inputMode="numeric"
                    value={form.membershipLimit}
                    onChange={(e) => set({ membershipLimit: e.target.value })}
                  />
                )}
              </Field>
              <Field
                label={t('settings.invitationExpiryDays')}
                hint={t('settings.invitationExpiryDaysHint')}
                error={field('invitationExpiryDays')}
              >
                {(a) => (
                  <input
                    {...a}
                    inputMode="numeric"
                    value={form.invitationExpiryDays}
                    onChange={(e) => set({ invitationExpiryDays: e.target.value })}
                  />
                )}
              </Field>
            </div>
            <label className="check">
              <input
                type="checkbox"
                checked={form.allowAdminInvitations}
                onChange={(e) => set({ allowAdminInvitations: e.target.checked })}
              />
              {t('settings.allowAdminInvitations')}
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={form.allowInvitationsWithoutRole}
                onChange={(e) => set({ allowInvitationsWithoutRole: e.target.checked })}
              />
              {t('settings.allowInvitationsWithoutRole')}
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={form.scimPasswordPush}
                onChange={(e) => set({ scimPasswordPush: e.target.checked })}
              />
              {t('settings.scimPasswordPush')}
            </label>
          </section>
          <DefaultsSection
            form={form}
            set={set}
            choices={loaded.data.choices}
            field={field}
            badSettings={badSettings}
          />
          <div className="buttons">
            <button type="submit" disabled={action.busy}>
              {t('common.save')}
            </button>
            {saved && <StatusNotice>{t('common.saved')}</StatusNotice>}
          </div>
        </form>
      )}
    </>
  );
}
