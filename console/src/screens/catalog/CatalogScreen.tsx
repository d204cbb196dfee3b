import { useState } from 'react';
import type { Role, UserTypeEntry } from '../../api/admin-types.ts';
import { api } from '../../api/client.ts';
import { type MessageKey, useI18n } from '../../i18n/i18n.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import { RoleDialog } from './RoleDialog.tsx';
import { ConfirmButtons } from '../../ui/ConfirmButtons.tsx';

// The role and user-type catalog: each role's privileges and parameter, each user type's
// privileges and the roles it allows. Custom roles are created, edited and deleted here.

async function loadCatalog() {
  const [roles, userTypes] = await Promise.all([
    api.get<{ items: Role[] }>('/roles'),
    api.get<{ items: UserTypeEntry[] }>('/user-types'),
  ]);
  return { roles: roles.items, userTypes: userTypes.items };
}

export function CatalogScreen() {
  const { t } = useI18n();
  const catalog = useLoad(loadCatalog, []);
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const [done, setDone] = useState('');
  const remove = useAction();
  const privileges = (list: string[]) =>
    list.map((p) => t(`privilege.${p}` as MessageKey)).join(', ');
  const destroy = async (role: Role) => {
    if ((await remove.run(() => api.delete(`/roles/${role.id}`))) !== undefined) {
      setDone(t('catalog.roleDeleted', { name: role.name }));
      catalog.reload();
    }
    setDeleting(null);
  };
  return (
    <>
      <Heading>{t('catalog.title')}</Heading>
      <ErrorNotice>{catalog.error?.detail ?? remove.error?.detail}</ErrorNotice>
      {done && <StatusNotice>{done}</StatusNotice>}
      <section aria-labelledby="catalog-roles">
        <h2 id="catalog-roles">{t('catalog.roles')}</h2>
        <div className="toolbar">
          <button
            type="button"
            onClick={() => {
              setDone('');
              setEditing('new');
            }}
          >
            {t('catalog.createRole')}
          </button>
        </div>
        {catalog.data && (
          <table>
            <caption className="visually-hidden">{t('catalog.roles')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('catalog.name')}</th>
                <th scope="col">{t('catalog.privileges')}</th>
                <th scope="col">{t('catalog.parameter')}</th>
                <th scope="col">{t('catalog.exclusiveSet')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {catalog.data.roles.map((r) => (
                <tr key={r.id}>
                  <td>
                    {r.name} {r.builtin && <span className="badge">{t('catalog.builtin')}</span>}
                  </td>
                  <td>{privileges(r.privileges)}</td>
                  <td>
                    {r.parameterName
                      ? `${r.parameterName} (${t(r.parameterRequired === false ? 'catalog.optional' : 'catalog.required')})`
                      : '—'}
                  </td>
                  <td>{r.exclusiveSet ?? '—'}</td>
                  <td>
                    <div className="row-actions">
                      <button
                        type="button"
                        className="secondary"
                        aria-label={t('catalog.editRole', { name: r.name })}
                        onClick={() => {
                          setDone('');
                          setEditing(r);
                        }}
                      >
                        {t('catalog.edit')}
                      </button>
                      {!r.builtin && (
                        <button
                          type="button"
                          className="danger"
                          aria-label={t('catalog.deleteRole', { name: r.name })}
                          onClick={() => {
                            setDone('');
                            setDeleting(r);
                          }}
                        >
                          {t('common.delete')}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="catalog-user-types">
        <h2 id="catalog-user-types">{t('catalog.userTypes')}</h2>
        {catalog.data && (
          <table>
            <caption className="visually-hidden">{t('catalog.userTypes')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('catalog.name')}</th>
                <th scope="col">{t('catalog.fileId')}</th>
                <th scope="col">{t('catalog.privileges')}</th>
                <th scope="col">{t('catalog.compatibleRoles')}</th>
              </tr>
            </thead>
            <tbody>
              {catalog.data.userTypes.map((u) => (
                <tr key={u.id}>
                  <td>{u.name}</td>
                  <td>
                    <code>{u.fileId}</code>
                  </td>
                  <td>{privileges(u.privileges)}</td>
                  <td>{u.compatibleRoles.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {editing && (
        <RoleDialog
          role={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(role) => {
            setEditing(null);
            setDone(t('catalog.roleSaved', { name: role.name }));
            catalog.reload();
          }}
        />
      )}
      <Dialog
        title={deleting ? t('catalog.deleteRole', { name: deleting.name }) : ''}
        open={deleting !== null}
        onClose={() => setDeleting(null)}
      >
        <ConfirmButtons
          label={t('common.delete')}
          busy={remove.busy}
          danger
          onConfirm={() => deleting && destroy(deleting)}
          onCancel={() => setDeleting(null)}
        />
      </Dialog>
    </>
  );
}
