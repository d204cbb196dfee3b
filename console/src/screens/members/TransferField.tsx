import { api } from '../../api/client.ts';
import type { CatalogRole, Member, Page } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/useLoad.ts';

// Who may receive what a deleted member or API key owned: active members whose role may own
// content (the API checks the same rule and names the field when it refuses).

const OWNING_PRIVILEGE = 'create_content';

async function eligibleOwners(excluded: string | undefined): Promise<Member[]> {
  const [roles, members] = await Promise.all([
    api.get<{ items: CatalogRole[] }>('/roles'),
    api.get<Page<Member>>('/members', { status: 'active', pageSize: 500, sort: 'username' }),
  ]);
  const owners = new Set(
    roles.items.filter((r) => r.privileges.includes(OWNING_PRIVILEGE)).map((r) => r.id),
  );
  return members.items.filter((m) => m.id !== excluded && owners.has(m.role.id));
}

export function TransferField(props: {
  value: string;
  onChange(value: string): void;
  error: string | undefined;
  excluded?: string;
}) {
  const { t } = useI18n();
  const owners = useLoad(() => eligibleOwners(props.excluded), [props.excluded]);
  return (
    <Field label={t('member.transferTo')} hint={t('member.transferHint')} error={props.error}>
      {(a) => (
        <select {...a} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          <option value="">{t('common.none')}</option>
          {(owners.data ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.username}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
