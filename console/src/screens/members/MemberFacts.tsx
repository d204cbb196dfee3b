import type { Member } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../ui/format.ts';

// Everything known about one member, read-only: roles with their parameter, groups,
// licences, categories, credits, identity links, last sign-in.

export function MemberFacts({ member }: { member: Member }) {
  const { t, language } = useI18n();
  const list = (items: string[]) => (items.length ? items.join(', ') : t('common.none'));
  const roles = [
    { ...member.role, primary: true, group: null },
    ...member.additionalRoles.map((r) => ({ ...r, group: null })),
    ...member.groupRoles,
  ];
  return (
    <>
      <section aria-labelledby="facts-profile">
        <h2 id="facts-profile">{t('member.profile')}</h2>
        <dl className="facts">
          <dt>{t('members.name')}</dt>
          <dd>{[member.firstName, member.lastName].filter(Boolean).join(' ') || '—'}</dd>
          <dt>{t('members.email')}</dt>
          <dd>{member.email}</dd>
          <dt>{t('members.status')}</dt>
          <dd>{t(`status.${member.status}`)}</dd>
          <dt>{t('members.userType')}</dt>
          <dd>{member.userType.name}</dd>
          <dt>{t('members.source')}</dt>
          <dd>{member.source}</dd>
          <dt>{t('members.lastSignIn')}</dt>
          <dd>{formatDate(member.lastSignInAt, language)}</dd>
          <dt>{t('member.created')}</dt>
          <dd>{formatDate(member.createdAt, language)}</dd>
          <dt>{t('member.groups')}</dt>
          <dd>{list(member.groups.map((g) => g.name))}</dd>
          <dt>{t('member.licenses')}</dt>
          <dd>{list(member.licenses)}</dd>
          <dt>{t('member.categories')}</dt>
          <dd>{list(member.categories)}</dd>
          <dt>{t('member.credits')}</dt>
          <dd>{member.credits ?? '—'}</dd>
        </dl>
      </section>
      <section aria-labelledby="facts-roles">
        <h2 id="facts-roles">{t('member.roles')}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('member.parameter')}</th>
              <th scope="col">{t('member.appliesIn')}</th>
            </tr>
          </thead>
          <tbody>
            {roles.map((r) => (
              <tr key={`${r.id}:${r.group?.id ?? ''}`}>
                <td>
                  {r.name} {'primary' in r && <span className="hint">({t('member.primary')})</span>}
                </td>
                <td>{r.parameter ?? '—'}</td>
                <td>{r.group ? r.group.name : t('member.wholeOrganization')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="facts-links">
        <h2 id="facts-links">{t('member.links')}</h2>
        {member.links.length === 0 ? (
          <p>{t('common.none')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('members.source')}</th>
                <th scope="col">{t('member.externalId')}</th>
                <th scope="col">{t('member.login')}</th>
              </tr>
            </thead>
            <tbody>
              {member.links.map((l) => (
                <tr key={`${l.source}:${l.externalId}`}>
                  <td>{l.source}</td>
                  <td>{l.externalId}</td>
                  <td>{l.login ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
