import test from 'ava';
import type { AuditRecord, Organization, Role } from '../../console/src/api/admin-types.ts';
import { memberOf, targetHref, targetLabel } from '../../console/src/screens/audit/audit-view.ts';
import { EMPTY_ROLE, roleBody } from '../../console/src/screens/catalog/role-form.ts';
import { formOf, patchOf } from '../../console/src/screens/settings/settings-form.ts';

// The console's pure form logic: what a settings save, a role save and an audit row become.

const org: Organization = {
  id: 'o1',
  name: 'Harbour Works',
  membershipLimit: null,
  allowAdminInvitations: false,
  allowInvitationsWithoutRole: false,
  scimPasswordPush: true,
  invitationExpiryDays: 14,
  newMemberDefaults: { userType: 'Creator', role: 'User', credits: null },
  updatedAt: '2026-01-01T00:00:00.000Z',
};

test('settings: a form read back unchanged saves the same values', (t) => {
  const patch = patchOf(formOf(org));
  t.deepEqual(patch, {
    body: {
      name: 'Harbour Works',
      membershipLimit: null,
      invitationExpiryDays: 14,
      allowAdminInvitations: false,
      allowInvitationsWithoutRole: false,
      scimPasswordPush: true,
      newMemberDefaults: {
        userType: 'Creator',
        role: 'User',
        groups: [],
        licenses: [],
        categories: [],
        credits: null,
        settings: null,
      },
    },
  });
});

test('settings: numbers go as typed, so the API judges what is not one', (t) => {
  const form = {
    ...formOf(org),
    invitationExpiryDays: ' 400 ',
    membershipLimit: 'ten',
    credits: '',
  };
  const patch = patchOf(form);
  if (!('body' in patch)) return t.fail('refused before sending');
  t.is(patch.body.invitationExpiryDays, 400);
  t.is(patch.body.membershipLimit, 'ten');
  t.like(patch.body.newMemberDefaults, { credits: null });
});

test('settings: categories split on commas, settings must be a JSON object', (t) => {
  const form = { ...formOf(org), categories: 'north, , survey ', settings: '{"theme":"dark"}' };
  const patch = patchOf(form);
  if (!('body' in patch)) return t.fail('refused before sending');
  t.like(patch.body.newMemberDefaults, {
    categories: ['north', 'survey'],
    settings: { theme: 'dark' },
  });
  t.deepEqual(patchOf({ ...form, settings: '[1]' }), { invalidSettings: true });
  t.deepEqual(patchOf({ ...form, settings: '{theme' }), { invalidSettings: true });
});

test('settings: defaults the organization never set read as the built-in ones', (t) => {
  const form = formOf({ ...org, newMemberDefaults: {} });
  t.is(form.userType, 'Creator');
  t.is(form.role, 'User');
});

const builtin: Role = {
  id: 'r1',
  name: 'Viewer',
  aliases: ['Consultation'],
  privileges: ['view'],
  parameterName: null,
  exclusiveSet: null,
  builtin: true,
};

test('roles: a new role leaves out what is empty; a parameter carries whether it is required', (t) => {
  t.deepEqual(roleBody({ ...EMPTY_ROLE, name: 'Auditor' }, null), {
    name: 'Auditor',
    aliases: [],
    privileges: ['view'],
  });
  t.like(
    roleBody(
      { ...EMPTY_ROLE, name: 'Partner', parameterName: 'Vertex ID', parameterRequired: false },
      null,
    ),
    { parameterName: 'Vertex ID', parameterRequired: false },
  );
});

test('roles: editing a built-in role never sends its name or privileges', (t) => {
  const body = roleBody(
    { ...EMPTY_ROLE, name: 'Viewer', privileges: ['view'], aliases: 'Lecture, Consultation' },
    builtin,
  );
  t.false('name' in body);
  t.false('privileges' in body);
  t.deepEqual(body, {
    aliases: ['Lecture', 'Consultation'],
    parameterName: null,
    exclusiveSet: null,
  });
});

const entry = (target: AuditRecord['target'], after: unknown): AuditRecord => ({
  id: 1,
  at: '2026-01-01T00:00:00.000Z',
  actor: { type: 'member', id: 'm0', label: 'ada.admin' },
  action: 'x',
  target,
  before: null,
  after,
});

test('audit: a target is named as recorded, and a group change names its member apart', (t) => {
  const added = entry({ type: 'group', id: 'g1' }, { memberId: 'm1', username: 'mia.member' });
  t.is(targetLabel(added), 'g1');
  t.is(memberOf(added), 'mia.member');
  t.is(targetHref(added), '/groups/g1');
  const member = entry({ type: 'member', id: 'm1' }, { username: 'mia.member', email: 'm@x.org' });
  t.is(targetLabel(member), 'mia.member');
  t.is(memberOf(member), '');
  const role = entry({ type: 'role', id: 'r1' }, { name: 'Auditor' });
  t.is(targetLabel(role), 'Auditor');
  t.is(targetHref(role), undefined);
});
