import { readFileSync } from 'node:fs';
import test from 'ava';
import type { Scope } from '../../src/access/actor.ts';
import { ConflictError, LicenseLimitError, ValidationError } from '../../src/errors.ts';
import { type ImportDeps, uploadImport } from '../../src/import/import-service.ts';
import { startApply } from '../../src/import/import-apply-run.ts';
import { acceptBuiltIn } from '../../src/invitations/invitation-acceptance.ts';
import { createInvitations } from '../../src/invitations/invitation-create.ts';
import {
  createLicense,
  deleteLicense,
  getLicense,
  listLicenses,
  updateLicense,
} from '../../src/licenses/license-service.ts';
import { listMembers } from '../../src/members/member-listing.ts';
import { createMember } from '../../src/members/member-service.ts';
import { updateMember } from '../../src/members/member-update.ts';
import { updateOrganization } from '../../src/org-settings/organization-settings.ts';
import { createUser } from '../../src/scim/user-create.ts';
import { eachDatabase, type Fixture } from '../helpers/databases.ts';

// The add-on licence catalog on PGlite and PostgreSQL: grants checked for compatibility and
// availability (refusals write nothing), invitations counted once accepted, imports and SCIM
// under the same rules, renames carried to holders.

const person = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  email: `${username}@example.org`,
  firstName: 'Ada',
  lastName: 'Lovelace',
  userType: 'Creator',
  role: 'User',
  ...extra,
});

async function snapshot(f: Fixture, scope: Scope) {
  const db = f.database.knex;
  const members = await db('members')
    .where('org_id', scope.orgId)
    .orderBy('username')
    .select('username', 'licenses');
  const [audit] = await db('audit_log').where('org_id', scope.orgId).count({ n: '*' });
  return { members, audit: Number(audit?.n) };
}

async function* bytes(content: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(content);
}

eachDatabase((kind, fixture) => {
  test(`[${kind}] a licence is granted only to the user types it lists and up to the quantity; refusals name both and write nothing`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    await createLicense(f.database.knex, scope, {
      name: 'ArcGIS Insights',
      userTypes: ['Creator', 'Professional'],
      quantity: 2,
    });
    const ada = await createMember(
      f.deps,
      scope,
      person('ada.one', { licenses: ['arcgis insights'] }),
    );
    t.deepEqual(ada.licenses, ['ArcGIS Insights'], 'stored as the catalog spells it');

    let before = await snapshot(f, scope);
    const incompatible = await t.throwsAsync(
      createMember(
        f.deps,
        scope,
        person('vic.viewer', { userType: 'Viewer', role: 'Viewer', licenses: ['ArcGIS Insights'] }),
      ),
      { instanceOf: ValidationError },
    );
    t.regex(
      incompatible.message,
      /licence ArcGIS Insights is not compatible with user type Viewer/,
    );
    t.regex(incompatible.message, /Creator, Professional/);
    t.deepEqual(await snapshot(f, scope), before, 'nothing written');

    await createMember(f.deps, scope, person('bob.two', { licenses: ['ArcGIS Insights'] }));
    before = await snapshot(f, scope);
    const full = await t.throwsAsync(
      createMember(f.deps, scope, person('cy.three', { licenses: ['ArcGIS Insights'] })),
      { instanceOf: LicenseLimitError },
    );
    t.regex(
      full.message,
      /licence ArcGIS Insights: the organization has 2, 2 in use and 0 available/,
    );
    t.deepEqual(await snapshot(f, scope), before, 'nothing written');

    const cy = await createMember(f.deps, scope, person('cy.three'));
    await t.throwsAsync(updateMember(f.deps, scope, cy.id, { licenses: ['ArcGIS Insights'] }), {
      instanceOf: LicenseLimitError,
    });
    const viewerChange = await t.throwsAsync(
      updateMember(f.deps, scope, ada.id, { userType: 'Viewer', role: 'Viewer' }),
      { instanceOf: ValidationError },
    );
    t.regex(viewerChange.message, /user type Viewer cannot hold licence ArcGIS Insights/);
    await updateMember(f.deps, scope, ada.id, { licenses: [] });
    t.deepEqual(
      (await updateMember(f.deps, scope, cy.id, { licenses: ['ArcGIS Insights'] })).licenses,
      ['ArcGIS Insights'],
      'a freed licence can be granted again',
    );
    t.like(await getLicense(f.database.knex, scope.orgId, 'arcgis insights'), {
      quantity: 2,
      inUse: 2,
      available: 0,
    });
    const holders = await listMembers(f.database.knex, scope.orgId, {
      license: 'ArcGIS Insights',
      sort: 'username',
      page: 1,
      pageSize: 50,
    });
    t.deepEqual(
      holders.items.map((m) => m.username),
      ['bob.two', 'cy.three'],
    );
  });

  test(`[${kind}] invitations count a licence only once accepted; an acceptance beyond the quantity joins without it`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const deps = { ...f.deps, publicUrl: 'https://id.example.test', sources: () => [] };
    await createLicense(f.database.knex, scope, {
      name: 'Field Maps',
      userTypes: ['Creator'],
      quantity: 1,
    });
    const { items } = await createInvitations(deps, scope, {
      emails: ['ann@example.org', 'ben@example.org'],
      userType: 'Creator',
      licenses: ['field maps'],
    });
    t.like(await getLicense(f.database.knex, scope.orgId, 'Field Maps'), {
      inUse: 0,
      pendingInvitations: 2,
      available: 1,
    });
    await t.throwsAsync(
      createInvitations(deps, scope, {
        email: 'val@example.org',
        userType: 'Viewer',
        role: 'Viewer',
        licenses: ['Field Maps'],
      }),
      {
        instanceOf: ValidationError,
        message: /Field Maps is not compatible with user type Viewer/,
      },
    );
    const token = (link: string | null) => new URL(link!).searchParams.get('token')!;
    const ann = await acceptBuiltIn(deps, {
      token: token(items[0]!.link),
      username: 'ann.accepts',
      password: 'Harbour-5521-x',
    });
    const ben = await acceptBuiltIn(deps, {
      token: token(items[1]!.link),
      username: 'ben.accepts',
      password: 'Harbour-5521-x',
    });
    const db = f.database.knex;
    t.deepEqual((await db('members').where('id', ann.memberId).first())!.licenses, ['Field Maps']);
    t.deepEqual((await db('members').where('id', ben.memberId).first())!.licenses, []);
    t.like(
      await db('audit_log')
        .where({ target_id: ben.memberId, action: 'license.not-granted' })
        .first(),
      {
        after: {
          licenses: ['Field Maps'],
          reason: 'none available when the invitation was accepted',
        },
      },
    );
    t.like(await getLicense(db, scope.orgId, 'Field Maps'), { inUse: 1, available: 0 });
  });

  test(`[${kind}] imports and SCIM give the default licences each user type may hold, within the quantity`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    await createLicense(db, scope, { name: 'Insights', userTypes: ['Creator'], quantity: 3 });
    await createLicense(db, scope, { name: 'Workforce', userTypes: ['Creator', 'Contributor'] });
    await updateOrganization(db, scope, {
      newMemberDefaults: { userType: 'Creator', role: 'User', licenses: ['insights', 'Workforce'] },
    });
    t.deepEqual(
      (await db('organizations').where('id', scope.orgId).first())!.new_member_defaults.licenses,
      ['Insights', 'Workforce'],
    );
    await t.throwsAsync(
      updateOrganization(db, scope, { newMemberDefaults: { licenses: ['Nope'] } }),
      { instanceOf: ValidationError, message: /unknown licence "Nope"/ },
    );
    const importDeps: ImportDeps = {
      ...f.deps,
      publicUrl: 'https://id.example.test',
      sources: () => [],
    };
    const run = await uploadImport(
      importDeps,
      scope,
      { mode: 'add' },
      bytes(readFileSync('test/fixtures/import/add.csv', 'utf8')),
    );
    await (await startApply(importDeps, scope, run.id, {})).done;
    t.deepEqual((await snapshot(f, scope)).members, [
      { username: 'jcho11', licenses: ['Insights', 'Workforce'] },
      { username: 'srajhandas', licenses: ['Workforce'] },
    ]);

    // Validated now, while a licence is still available; applied after SCIM took the rest.
    const zed = `Email,First Name,Last Name,Username,Password,User Type,Role\nzed@example.org,Zed,Last,zed.last,zl40.l2eh,Creator,User\n`;
    const early = await uploadImport(importDeps, scope, { mode: 'add' }, bytes(zed));
    t.is(early.report.licenses, undefined, 'one Insights licence is left when validating');

    const ctx = { db, hasher: f.deps.hasher, scope, base: 'http://scim.test/scim/v2' };
    const user = (n: number) =>
      createUser(ctx, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `scim${n}@example.org`,
      });
    await user(1);
    await user(2);
    const before = await snapshot(f, scope);
    await t.throwsAsync(user(3), {
      instanceOf: LicenseLimitError,
      message: /licence Insights: the organization has 3, 3 in use/,
    });
    t.deepEqual(await snapshot(f, scope), before, 'the refused SCIM user was not written');

    await t.throwsAsync((await startApply(importDeps, scope, early.id, {})).done, {
      instanceOf: LicenseLimitError,
      message: /licence Insights/,
    });
    t.deepEqual(await snapshot(f, scope), before, 'the batch beyond the quantity rolled back');

    const late = await uploadImport(importDeps, scope, { mode: 'add' }, bytes(zed));
    t.deepEqual(late.report.licenses, [{ license: 'Insights', quantity: 3, inUse: 3, adding: 1 }]);
    const refused = late.report.issues.find((issue) => issue.severity === 'error');
    t.is(refused?.line, 2);
    t.regex(
      refused?.message ?? '',
      /default licence Insights than the organization has available \(0 of 3\)/,
    );
    await t.throwsAsync(startApply(importDeps, scope, late.id, {}), {
      instanceOf: LicenseLimitError,
      message: /licence Insights: the organization has 3, 3 in use and 0 available/,
    });
    t.deepEqual(await snapshot(f, scope), before);
  });

  test(`[${kind}] the catalog: rename follows holders, quantity and user types cannot strand them, held licences cannot be deleted`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    await createLicense(db, scope, { name: 'Pro', userTypes: ['Creator', 'Viewer'], quantity: 5 });
    await t.throwsAsync(createLicense(db, scope, { name: 'pro', userTypes: ['Creator'] }), {
      instanceOf: ConflictError,
    });
    await t.throwsAsync(createLicense(db, scope, { name: 'X', userTypes: ['Wizard'] }), {
      instanceOf: ValidationError,
      message: /unknown user type "Wizard"/,
    });
    const viewer = await createMember(
      f.deps,
      scope,
      person('vera.viewer', { userType: 'Viewer', role: 'Viewer', licenses: ['Pro'] }),
    );
    await createMember(f.deps, scope, person('carl.creator', { licenses: ['Pro'] }));
    await t.throwsAsync(updateLicense(db, scope, 'Pro', { userTypes: ['Creator'] }), {
      instanceOf: ValidationError,
      message: /held by members of user type Viewer \(1\)/,
    });
    await t.throwsAsync(updateLicense(db, scope, 'Pro', { quantity: 1 }), {
      instanceOf: ValidationError,
      message: /in use by 2/,
    });
    const renamed = await updateLicense(db, scope, 'Pro', { name: 'ArcGIS Pro', quantity: null });
    t.like(renamed, { name: 'ArcGIS Pro', quantity: null, available: null, inUse: 2 });
    t.deepEqual((await db('members').where('id', viewer.id).first())!.licenses, ['ArcGIS Pro']);
    await t.throwsAsync(deleteLicense(db, scope, 'ArcGIS Pro'), { instanceOf: ConflictError });
    await createLicense(db, scope, { name: 'Spare', userTypes: ['Creator'] });
    await deleteLicense(db, scope, 'Spare');
    t.deepEqual(
      (await listLicenses(db, scope.orgId)).items.map((l) => l.name),
      ['ArcGIS Pro'],
    );
  });
});
