import test from 'ava';
import type { Scope } from '../../src/access/actor.ts';
import { ConflictError, LimitError, ValidationError } from '../../src/errors.ts';
import { createGroup } from '../../src/groups/groups.ts';
import { createRole } from '../../src/catalog/role-service.ts';
import { createMember, deleteMember, setMemberStatus } from '../../src/members/member-service.ts';
import { updateMember } from '../../src/members/member-update.ts';
import { getMember } from '../../src/members/member-record.ts';
import { updateOrganization } from '../../src/org-settings/organization-settings.ts';
import { createResource, listResources } from '../../src/resources/resources.ts';
import { eachDatabase, type Fixture } from '../helpers/databases.ts';

const person = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  email: `${username}@example.org`,
  firstName: 'Ada',
  lastName: 'Lovelace',
  userType: 'Creator',
  role: 'User',
  ...extra,
});

async function auditCount(f: Fixture, scope: Scope): Promise<number> {
  const [row] = await f.database.knex('audit_log').where('org_id', scope.orgId).count({ n: '*' });
  return Number(row?.n);
}

async function memberCount(f: Fixture, scope: Scope): Promise<number> {
  const [row] = await f.database.knex('members').where('org_id', scope.orgId).count({ n: '*' });
  return Number(row?.n);
}

/** The error a rejected call raised, after checking that it changed nothing. */
async function refusedWithoutChange<E extends Error>(
  t: { is: (a: unknown, b: unknown, m?: string) => void },
  f: Fixture,
  scope: Scope,
  call: () => Promise<unknown>,
): Promise<E> {
  const before = [await memberCount(f, scope), await auditCount(f, scope)];
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  if (!caught) throw new Error('expected the call to be refused');
  t.is(await memberCount(f, scope), before[0], 'no member was written');
  t.is(await auditCount(f, scope), before[1], 'no audit entry was written');
  return caught as E;
}

eachDatabase((kind, fixture) => {
  test(`[${kind}] a member is created with the organization's defaults and audited`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const member = await createMember(f.deps, scope, {
      username: 'Grace.Hopper',
      email: 'grace@example.org',
      displayName: 'Grace Brewster Hopper',
      password: 'Cobol-1959-navy',
    });
    t.like(member, {
      username: 'Grace.Hopper',
      firstName: 'Grace',
      lastName: 'Brewster Hopper',
      status: 'active',
      source: 'builtin',
      hasPassword: true,
      mustChangePassword: true,
      lastSignInAt: null,
    });
    t.is(member.userType.name, 'Creator');
    t.is(member.role.name, 'User');
    const stored = (await f.database
      .knex('members')
      .where('id', member.id)
      .first('password_hash'))!;
    t.regex(stored.password_hash ?? '', /^\$argon2id\$/);
    const audit = await f.database
      .knex('audit_log')
      .where({ org_id: scope.orgId, target_id: member.id });
    t.is(audit.length, 1);
    t.is(audit[0]!.action, 'member.create');
    t.false(JSON.stringify(audit[0]!.after).includes('Cobol-1959-navy'));
  });

  test(`[${kind}] usernames are unique per organization without regard to case (409)`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    await createMember(f.deps, scope, person('jsmith.corp'));
    const error = await refusedWithoutChange<ConflictError>(t, f, scope, () =>
      createMember(f.deps, scope, person('JSmith.Corp')),
    );
    t.true(error instanceof ConflictError);
    t.regex(error.message, /already taken/);
    // Another organization may use it: tenants are isolated.
    const other = await f.newOrg();
    await t.notThrowsAsync(createMember(f.deps, other, person('JSMITH.corp')));
  });

  test(`[${kind}] the schema itself refuses a second username differing in case`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const m = await createMember(f.deps, scope, person('schema.user'));
    // The row as read, less what PostgreSQL fills in itself (the id, the generated search text).
    const read = await f.database.knex('members').where('id', m.id).first();
    const { id: _id, search_text: _searchText, ...row } = read!;
    const copy = { ...row, username: 'SCHEMA.USER' };
    await t.throwsAsync(f.database.knex('members').insert(copy), {
      message: /members_username_key|duplicate key/,
    });
    await t.throwsAsync(
      f.database.knex('members').insert({ ...copy, username: 'other.user', email: 'no-at-sign' }),
      { message: /members_email_check/ },
    );
    // Apostrophes are refused by the members rules for typed addresses (below), not by the schema:
    // an identity provider's address may hold one (RFC 5321).
    await t.throwsAsync(
      f.database.knex('members').insert({ ...copy, username: 'other.user', status: 'sleeping' }),
      { message: /members_status_check/ },
    );
  });

  test(`[${kind}] bad fields are refused all at once, nothing written`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const error = await refusedWithoutChange<ValidationError>(t, f, scope, () =>
      createMember(f.deps, scope, {
        username: 'a b c',
        email: "o'neil@example.org",
        firstName: 'A',
        lastName: 'B',
        password: 'aaaabbbb',
      }),
    );
    t.true(error instanceof ValidationError);
    t.deepEqual(error.issues.map((i) => i.field).sort(), ['email', 'password', 'username']);
    for (const [username, password, field] of [
      ['short', 'Good-pass-42', 'username'],
      ['gooduser1', '1234abcd', 'password'],
      ['gooduser1', 'gooduser1', 'password'],
    ] as const) {
      const e = await refusedWithoutChange<ValidationError>(t, f, scope, () =>
        createMember(f.deps, scope, { ...person(username), password }),
      );
      t.true(
        e.issues.some((i) => i.field === field),
        `${username}/${password}`,
      );
    }
  });

  test(`[${kind}] an incompatible user type and role is refused with the compatible roles`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const error = await refusedWithoutChange<ValidationError>(t, f, scope, () =>
      createMember(f.deps, scope, person('viewer.pub', { userType: 'Viewer', role: 'Publisher' })),
    );
    t.regex(
      error.message,
      /role Publisher is not compatible with user type Viewer; compatible roles: Viewer/,
    );
    const ok = await createMember(
      f.deps,
      scope,
      person('viewer.ok', { userType: 'viewerUT', role: 'consultation' }),
    );
    t.is(ok.role.name, 'Viewer');
  });

  test(`[${kind}] a role that needs a parameter, and mutually exclusive roles`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    await createRole(f.database.knex, scope, {
      name: 'hoster',
      privileges: ['view'],
      parameterName: 'Vertex ID',
      exclusiveSet: 'partner',
    });
    await createRole(f.database.knex, scope, {
      name: 'attractor',
      privileges: ['view'],
      parameterName: 'Vertex ID',
      exclusiveSet: 'partner',
    });
    const missing = await refusedWithoutChange<ValidationError>(t, f, scope, () =>
      createMember(f.deps, scope, person('host.one', { role: 'hoster' })),
    );
    t.regex(missing.message, /role hoster needs a Vertex ID/);
    const both = await refusedWithoutChange<ValidationError>(t, f, scope, () =>
      createMember(
        f.deps,
        scope,
        person('host.two', {
          role: 'hoster',
          roleParameter: 'v1',
          additionalRoles: [{ role: 'attractor', parameter: 'v2' }],
        }),
      ),
    );
    t.regex(both.message, /hoster and attractor are mutually exclusive/);
    const m = await createMember(
      f.deps,
      scope,
      person('host.three', {
        role: 'User',
        additionalRoles: [{ role: 'hoster', parameter: 'vertex-7' }],
      }),
    );
    t.deepEqual(
      m.additionalRoles.map((r) => [r.name, r.parameter]),
      [['hoster', 'vertex-7']],
    );
  });

  test(`[${kind}] the membership limit counts pending members and names limit and count`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    await updateOrganization(f.database.knex, scope, { membershipLimit: 2 });
    await createMember(f.deps, scope, person('first.member'));
    await createMember(f.deps, scope, person('pending.member', { status: 'pending' }));
    const error = await refusedWithoutChange<LimitError>(t, f, scope, () =>
      createMember(f.deps, scope, person('third.member')),
    );
    t.true(error instanceof LimitError);
    t.like(error, { limit: 2, count: 2 });
    t.regex(error.message, /limit is 2 and it has 2 members/);
  });

  test(`[${kind}] concurrent additions never overshoot the limit`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    await updateOrganization(f.database.knex, scope, { membershipLimit: 3 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => createMember(f.deps, scope, person(`racer.${i}x`))),
    );
    t.is(results.filter((r) => r.status === 'fulfilled').length, 3);
    t.is(await memberCount(f, scope), 3);
  });

  test(`[${kind}] updates keep the rules; disable and enable; audit has before and after`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const group = await createGroup(f.database.knex, scope, { name: 'Field crews' });
    const m = await createMember(
      f.deps,
      scope,
      person('update.me', { password: 'Bicycle-2040-x' }),
    );
    const changed = await updateMember(f.deps, scope, 'UPDATE.ME', {
      role: 'Publisher',
      groups: ['field crews'],
      email: 'new@example.org',
    });
    t.is(changed.role.name, 'Publisher');
    t.deepEqual(
      changed.groups.map((g) => g.id),
      [group.id],
    );
    t.is(changed.version, m.version + 1);
    await t.throwsAsync(updateMember(f.deps, scope, m.id, { userType: 'Viewer' }), {
      instanceOf: ValidationError,
      message: /compatible roles: Viewer/,
    });
    await t.throwsAsync(updateMember(f.deps, scope, m.id, { username: 'Bicycle-2040-x' }), {
      instanceOf: ValidationError,
    });
    const disabled = await setMemberStatus(f.deps, scope, m.id, 'disabled');
    t.is(disabled.status, 'disabled');
    t.is((await setMemberStatus(f.deps, scope, m.id, 'active')).status, 'active');
    const audit = (await f.database
      .knex('audit_log')
      .where({ org_id: scope.orgId, target_id: m.id, action: 'member.update' })
      .first())!;
    t.like(audit, { before: { role: { name: 'User' } }, after: { role: { name: 'Publisher' } } });
  });

  test(`[${kind}] deletion transfers owned resources, or deletes them, and removes access entries`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const owner = await createMember(f.deps, scope, person('owner.one'));
    const heir = await createMember(f.deps, scope, person('heir.one'));
    const viewer = await createMember(
      f.deps,
      scope,
      person('viewer.one', { userType: 'Viewer', role: 'Viewer' }),
    );
    const kept = await createResource(f.database.knex, scope, {
      kind: 'project',
      name: 'Roads',
      owner: owner.id,
      sharedWith: [viewer.id],
    });
    await t.throwsAsync(deleteMember(f.deps, scope, owner.id, { transferTo: viewer.id }), {
      instanceOf: ValidationError,
      message: /cannot own resources/,
    });
    await t.throwsAsync(deleteMember(f.deps, scope, owner.id, { transferTo: owner.id }), {
      instanceOf: ValidationError,
    });
    const result = await deleteMember(f.deps, scope, owner.id, { transferTo: 'HEIR.ONE' });
    t.like(result, { transferredTo: heir.id, resourcesTransferred: 1, resourcesDeleted: 0 });
    t.is((await listResources(f.database.knex, scope.orgId, heir.id)).items[0]?.id, kept.id);
    await t.throwsAsync(getMember(f.database.knex, scope.orgId, owner.id), {
      message: /not found/,
    });

    await createResource(f.database.knex, scope, { kind: 'layer', name: 'Rivers', owner: heir.id });
    await deleteMember(f.deps, scope, viewer.id, {});
    t.deepEqual(
      (await listResources(f.database.knex, scope.orgId, heir.id)).items.find(
        (r) => r.id === kept.id,
      )?.sharedWith,
      [],
    );
    const gone = await deleteMember(f.deps, scope, heir.id, {});
    t.is(gone.resourcesDeleted, 2);
    t.is((await listResources(f.database.knex, scope.orgId)).total, 0);
  });

  test(`[${kind}] a member of another organization cannot be reached`, async (t) => {
    const f = fixture();
    const a = await f.newOrg();
    const b = await f.newOrg();
    const m = await createMember(f.deps, a, person('isolated.one'));
    await t.throwsAsync(getMember(f.database.knex, b.orgId, m.id), { message: /not found/ });
    await t.throwsAsync(updateMember(f.deps, b, m.id, { email: 'x@example.org' }), {
      message: /not found/,
    });
    await t.throwsAsync(deleteMember(f.deps, b, m.id, {}), { message: /not found/ });
  });

  test(`[${kind}] a viewer actor can only read`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const viewer: Scope = {
      orgId: scope.orgId,
      actor: { type: 'key', id: null, label: 'viewer', access: 'viewer' },
    };
    await t.throwsAsync(createMember(f.deps, viewer, person('not.allowed')), {
      message: /Viewer role and can only read/,
    });
  });
});
