import type { Role, UserTypeEntry } from '../../api/admin-types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { CheckboxGroup } from '../../ui/CheckboxGroup.tsx';
import { Field } from '../../ui/Field.tsx';
import type { SettingsChoices, SettingsForm } from './settings-form.ts';

// The defaults for new members. Only roles the chosen user type allows are offered, and no role
// that needs a parameter for each member (a default cannot carry one).

const D = 'newMemberDefaults';

function defaultRoles(roles: Role[], userType: UserTypeEntry | undefined): Role[] {
  return roles.filter(
    (r) => !r.parameterName && (userType?.compatibleRoles.includes(r.name) ?? false),
  );
}

export function DefaultsSection(props: {
  form: SettingsForm;
  set(change: Partial<SettingsForm>): void;
  choices: SettingsChoices;
  field(name: string): string | undefined;
  badSettings: boolean;
}) {
  const { t } = useI18n();
  const { form, set, choices, field } = props;
  const userTypeOf = (name: string) => choices.userTypes.find((u) => u.name === name);
  const roles = defaultRoles(choices.roles, userTypeOf(form.userType));
  return (
    <section aria-labelledby="settings-defaults">
      <h2 id="settings-defaults">{t('settings.defaults')}</h2>
      <p className="hint">{t('settings.defaultsHint')}</p>
      <div className="form-grid">
        <Field label={t('members.userType')} error={field(`${D}.userType`)}>
          {(a) => (
            <select
              {...a}
              value={form.userType}
              onChange={(e) => {
                const next = e.target.value;
                const allowed = defaultRoles(choices.roles, userTypeOf(next));
                set({
                  userType: next,
                  ...(allowed.some((r) => r.name === form.role)
                    ? {}
                    : { role: allowed[0]?.name ?? '' }),
                });
              }}
            >
              {choices.userTypes.map((u) => (
                <option key={u.id}>{u.name}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('members.role')} hint={t('settings.roleHint')} error={field(`${D}.role`)}>
          {(a) => (
            <select {...a} value={form.role} onChange={(e) => set({ role: e.target.value })}>
              {roles.map((r) => (
                <option key={r.id}>{r.name}</option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={t('settings.credits')}
          hint={t('settings.creditsHint')}
          error={field(`${D}.credits`)}
        >
          {(a) => (
            <input
              {...a}
              inputMode="decimal"
              value={form.credits}
              onChange={(e) => set({ credits: e.target.value })}
            />
          )}
        </Field>
        <Field
          label={t('settings.categories')}
          hint={t('settings.categoriesHint')}
          error={field(`${D}.categories`)}
        >
          {(a) => (
            <input
              {...a}
              value={form.categories}
              onChange={(e) => set({ categories: e.target.value })}
            />
          )}
        </Field>
      </div>
      <CheckboxGroup
        legend={t('member.groups')}
        options={choices.groups.map((g) => ({ value: g.name, label: g.name }))}
        checked={form.groups}
        onChange={(groups) => set({ groups })}
        error={field(`${D}.groups`)}
        empty={t('settings.noGroups')}
      />
      <CheckboxGroup
        legend={t('member.licenses')}
        options={choices.licenses.map((l) => ({
          value: l.name,
          label: l.name,
          hint: l.userTypes.join(', '),
        }))}
        checked={form.licenses}
        onChange={(licenses) => set({ licenses })}
        error={field(`${D}.licenses`)}
        empty={t('settings.noLicenses')}
      />
      <Field
        label={t('settings.settings')}
        hint={t('settings.settingsHint')}
        error={props.badSettings ? t('settings.settingsInvalid') : field(`${D}.settings`)}
      >
        {(a) => (
          <textarea
            {...a}
            rows={4}
            value={form.settings}
            onChange={(e) => set({ settings: e.target.value })}
          />
        )}
      </Field>
    </section>
  );
}
