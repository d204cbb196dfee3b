import test from 'ava';
import type { Scope } from '../../src/access/actor.ts';
import { decideAccess, hasAdministrator, memberAccess } from '../../src/access/member-access.ts';
import { listAudit } from '../../src/audit/audit-log.ts';
import { createLicense } from '../../src/licenses/license-service.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { createMember } from '../../src/members/member-service.ts';
import { updateMember } from '../../src/members/member-update.ts';
import { findOrganization } from '../../src/orgs/organizations.ts';
import { updateOrganization } from '../../src/org-settings/organization-settings.ts';
import { organizationOverview } from '../../src/overview/overview.ts';
import { completeSetup, issueSetupLink, setupLinkMember } from '../../src/sign-in/setup-links.ts';
import { eachDatabase, type Fixture } from '../helpers/databases.ts';

// The administrators' store rules on PGlite and PostgreSQL: who has which access from their
// roles and scopes, one-time setup links, checked new-member defaults, the overview's counts, and
// that only administrators give an administrator role.

test('the access rule: admin privilege, scopes, manage_members', (t) => {
  const all = ['view', 'admin'] as const;
  t.deepEqual(decideAccess([...all], [], [], []), { kind: 'organization' });
  t.deepEqual(decideAccess(['view'], [[...all]], [null], []), { kind: 'organization' });
  t.deepEqual(decideAccess(['view'], [[...all]], [], []), { kind: 'organization' });
  t.deepEqual(decideAccess(['view'], [[...all]], ['g1'], ['g2']), {
    kind: 'scoped',
    via: 'scope-administrator',
    groupIds: ['g1'],
  });
  t.deepEqual(decideAccess(['view', 'manage_members'], [], [], ['g2']), {
    kind: 'scoped',
    via: 'privilege',
    groupIds: ['g2'],
  });
  t.deepEqual(decideAccess(['view'], [['view', 'publish']], [], ['g2']), { kind: 'none' });
  // Roles held within a group reach that group only.
  t.deepEqual(decideAccess(['view'], [], [], ['g2'], [{ groupId: 'g3', privileges: [...all] }]), {
    kind: 'scoped',
    via: 'scope-administrator',
    groupIds: ['g3'],
  });
  t.deepEqual(
    decideAccess(['view'], [], [], ['g2'], [{ groupId: 'g3', privileges: ['manage_members'] }]),
    { kind: 'scoped', via: 'privilege', groupIds: ['g3'] },
  );
});

async function member(f: Fixture, scope: Scope, username: string, extra: object = {}) {
  return createMember(f.deps, scope, {
    username,
    email: `${username}@example.org`,
    firstName: 'A',
    lastName: 'B',
    userType: 'Creator',
    role: 'User',
    ...extra,
  });
}

eachDatabase((kind, fixture) => {
  test(`[${kind}] access from roles, scopes and groups; disabled members have none`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const [group] = await db('groups')
      .insert({ org_id: scope.orgId, name: 'North' })
      .returning('id');
    const groupId = (group as { id: string }).id;
    t.false(await hasAdministrator(db, scope.orgId));
    const admin = await member(f, scope, 'admin.one', { role: 'Administrator' });
    t.true(await hasAdministrator(db, scope.orgId));
    const plain = await member(f, scope, 'plain.one', { groups: ['North'] });
    t.deepEqual(await memberAccess(db, scope.orgId, admin.id), { kind: 'organization' });
    t.deepEqual(await memberAccess(db, scope.orgId, plain.id), { kind: 'none' });
    await db('scope_administrators').insert({
      org_id: scope.orgId,
      member_id: plain.id,
      group_id: groupId,
    });
    t.deepEqual(await memberAccess(db, scope.orgId, plain.id), {
      kind: 'scoped',
      via: 'scope-administrator',
      groupIds: [groupId],
    });
    await db('members').where('id', admin.id).update({ status: 'disabled' });
    t.deepEqual(await memberAccess(db, scope.orgId, admin.id), { kind: 'none' });
    const other = await f.newOrg();
    t.deepEqual(
      await memberAccess(db, other.orgId, plain.id),
      { kind: 'none' },
      'no access in another organization',
    );
  });

  test(`[${kind}] the audit log names the member and filters by actor, action, target and time`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const admin = await member(f, scope, 'audit.admin', { role: 'Administrator' });
    const asAdmin: Scope = {
      orgId: scope.orgId,
      actor: { type: 'member', id: admin.id, label: 'audit.admin', access: 'administrator' },
    };
    const before = new Date(Date.now() - 1000);
    await updateOrganization(db, asAdmin, { name: 'Audited' });
    const made = await member(f, asAdmin, 'audit.made');
    const list = (q: object) => listAudit(db, scope.orgId, { limit: 50, offset: 0, ...q });
    const mine = await list({ actor: 'AUDIT.ADMIN' });
    t.deepEqual(mine.items.map((e) => e.action).sort(), ['member.create', 'organization.update']);
    t.true(mine.items.every((e) => e.actor.type === 'member' && e.actor.id === admin.id));
    t.is((await list({ actor: admin.id })).total, 2);
    t.deepEqual(
      (await list({ targetType: 'member', actorId: admin.id })).items.map((e) => e.target.id),
      [made.id],
    );
    t.is((await list({ action: 'organization.update', since: before })).total, 1);
    t.is((await list({ action: 'organization.update', until: before })).total, 0);
    t.is((await list({ targetId: made.id })).items[0]!.actor.label, 'audit.admin');
  });

  test(`[${kind}] only administrators give an administrator role`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const key: Scope = {
      orgId: scope.orgId,
      actor: { type: 'key', id: null, label: 'editor key', access: 'editor' },
    };
    await t.throwsAsync(member(f, key, 'key.made', { role: 'Administrator' }), {
      instanceOf: ForbiddenError,
      message: /Administrator role \(an administrator role\) is reserved to administrators/,
    });
    const made = await member(f, key, 'key.plain');
    await t.throwsAsync(updateMember(f.deps, key, made.id, { role: 'Administrator' }), {
      instanceOf: ForbiddenError,
    });
    t.is((await updateMember(f.deps, key, made.id, { role: 'Publisher' })).role.name, 'Publisher');
    const admin = await member(f, scope, 'made.admin', { role: 'Administrator' });
    t.is(
      (await updateMember(f.deps, key, admin.id, { firstName: 'Z' })).firstName,
      'Z',
      'an administrator who keeps the role may still be edited',
    );
  });

  test(`[${kind}] a setup link is single use, expiring, hashed, and sets a good password only`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const m = await member(f, scope, 'setup.one', { role: 'Administrator' });
    const first = await issueSetupLink(db, scope, 'setup.one', 24);
    const issued = await issueSetupLink(db, scope, m.id, 24);
    t.is(await setupLinkMember(db, first.token), null, 'a newer link replaces an unused one');
    const stored = await db('setup_links').where('member_id', m.id).select('token_hash');
    t.is(stored.length, 1);
    t.false(JSON.stringify(stored).includes(issued.token.slice(10)));
    await t.throwsAsync(completeSetup(f.deps, issued.token, 'setup.one'), {
      instanceOf: ValidationError,
    });
    t.truthy(await setupLinkMember(db, issued.token), 'a refused password leaves the link usable');
    const done = await completeSetup(f.deps, issued.token, 'Keystone-7713-p');
    t.is(done.memberId, m.id);
    const row = (await db('members')
      .where('id', m.id)
      .first('password_hash', 'must_change_password'))!;
    t.true(await f.deps.hasher.verify(row.password_hash!, 'Keystone-7713-p'));
    await t.throwsAsync(completeSetup(f.deps, issued.token, 'Keystone-7713-q'), {
      instanceOf: NotFoundError,
    });
    const expired = await issueSetupLink(db, scope, m.id, 0.1);
    await db('setup_links')
      .where('member_id', m.id)
      .update({ expires_at: new Date(Date.now() - 1000) });
    t.is(await setupLinkMember(db, expired.token), null);
    const key: Scope = {
      orgId: scope.orgId,
      actor: { type: 'key', id: null, label: 'k', access: 'editor' },
    };
    await t.throwsAsync(issueSetupLink(db, key, m.id, 24), { instanceOf: ForbiddenError });
  });

  test(`[${kind}] new-member defaults are checked, merged and stored by canonical name; the overview counts`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    await db('groups').insert({ org_id: scope.orgId, name: 'Staff' });
    for (const name of ['gis', 'cad'])
      await createLicense(db, scope, { name, userTypes: ['Creator', 'Viewer'] });
    const error = await t.throwsAsync(
      updateOrganization(db, scope, {
        newMemberDefaults: { userType: 'Viewer', role: 'Publisher', groups: ['Ghosts'] },
      }),
      { instanceOf: ValidationError },
    );
    t.deepEqual(error!.issues.map((i) => i.field).sort(), [
      'newMemberDefaults.groups',
      'newMemberDefaults.role',
    ]);
    const org = await updateOrganization(db, scope, {
      newMemberDefaults: { userType: 'viewerUT', role: 'consultation', groups: ['staff'] },
    });
    t.deepEqual(org.newMemberDefaults, { userType: 'Viewer', role: 'Viewer', groups: ['Staff'] });
    const merged = await updateOrganization(db, scope, {
      newMemberDefaults: { userType: null, licenses: ['gis'] },
    });
    t.deepEqual(merged.newMemberDefaults, {
      role: 'Viewer',
      groups: ['Staff'],
      licenses: ['gis'],
    });
    const back = { newMemberDefaults: { userType: 'Viewer', role: null } };
    await t.throwsAsync(updateOrganization(db, scope, back), {
      instanceOf: ValidationError,
      message: /role User is not compatible with user type Viewer/,
    });
    t.deepEqual(
      (await findOrganization(db, scope.orgId)).newMemberDefaults,
      merged.newMemberDefaults,
    );

    // The defaults apply: both members get the gis licence.
    const a = await member(f, scope, 'count.one', { userType: 'Viewer', role: 'Viewer' });
    await member(f, scope, 'count.two', { licenses: ['gis', 'cad'] });
    await db('members')
      .where('id', a.id)
      .update({ status: 'disabled', last_sign_in_at: new Date() });
    await updateOrganization(db, scope, { membershipLimit: 10 });
    const overview = await organizationOverview(db, scope.orgId, [
      { name: 'builtin', type: 'builtin' },
    ]);
    t.like(overview.members, {
      total: 2,
      byStatus: { active: 1, pending: 0, disabled: 1 },
      signedIn: 1,
    });
    t.deepEqual(overview.members.byUserType, [
      { userType: 'Creator', count: 1 },
      { userType: 'Viewer', count: 1 },
    ]);
    t.deepEqual(overview.licenses, [
      { license: 'cad', count: 1 },
      { license: 'gis', count: 2 },
    ]);
    t.deepEqual(overview.membershipLimit, { limit: 10, used: 2, available: 8 });
    t.deepEqual(overview.sources, [{ name: 'builtin', type: 'builtin', lastRun: null }]);
  });
});
