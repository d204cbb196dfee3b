import test from 'ava';
import { getMember } from '../../src/members/member-record.ts';
import { updateMember } from '../../src/members/member-update.ts';
import { updateOrganization } from '../../src/org-settings/organization-settings.ts';
import { parseProjection } from '../../src/scim/projection.ts';
import { getUser, patchUser } from '../../src/scim/scim-users.ts';
import { createUser } from '../../src/scim/user-create.ts';
import { ScimError } from '../../src/scim/scim-error.ts';
import { eachDatabase } from '../helpers/databases.ts';
import { scimContextIn } from '../helpers/scim.ts';

// Members whose identity lives at an identity provider: no email, or the organization's stand-in;
// provider addresses follow RFC 5321 (apostrophes included).

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

eachDatabase((kind, fixture) => {
  test(`[${kind}] SCIM users without email, with the stand-in, and with apostrophe addresses`, async (t) => {
    const f = fixture();
    const ctx = await scimContextIn(f);
    const { scope } = ctx;
    const email = async (id: string) =>
      (await f.database.knex('members').where('id', id).first('email'))!.email as string | null;

    const bare = await createUser(ctx, { schemas: [USER], userName: 'jdoe-mailnickname' });
    t.false('emails' in bare.resource);
    t.is(await email(bare.resource.id as string), null);
    const shown = await getMember(f.database.knex, scope.orgId, bare.resource.id as string);
    t.is(shown.email, null);

    const irish = await createUser(ctx, {
      schemas: [USER],
      userName: 'obrien',
      emails: [{ value: "o'brien@example.org", type: 'work', primary: true }],
    });
    t.is(await email(irish.resource.id as string), "o'brien@example.org");
    // An administrator changing something else keeps the provider's address.
    await updateMember(f.deps, scope, irish.resource.id as string, { description: 'x' });
    t.is(await email(irish.resource.id as string), "o'brien@example.org");
    // Typed by an administrator, the stricter rule applies.
    await t.throwsAsync(
      updateMember(f.deps, scope, irish.resource.id as string, { email: "o'neil@example.org" }),
      { message: /apostrophe/ },
    );

    for (const bad of ['a@@b', 'no-at-sign', 'a b@example.org', `${'x'.repeat(65)}@example.org`]) {
      const error = await t.throwsAsync(
        createUser(ctx, { schemas: [USER], userName: `u${bad.length}`, emails: [{ value: bad }] }),
      );
      t.true(error instanceof ScimError && error.scimType === 'invalidValue', bad);
    }

    await updateOrganization(f.database.knex, scope, {
      newMemberDefaults: { standInEmail: 'it-desk@example.org' },
    });
    const standIn = await createUser(ctx, { schemas: [USER], userName: 'no-mail-2' });
    t.is(await email(standIn.resource.id as string), 'it-desk@example.org');
    t.false('emails' in standIn.resource, 'the stand-in is not shown as the user’s own address');
    const id = standIn.resource.id as string;
    await patchUser(ctx, id, {
      schemas: [PATCH],
      Operations: [
        { op: 'add', path: 'emails', value: [{ value: 'own@example.org', primary: true }] },
      ],
    });
    t.is(await email(id), 'own@example.org');
    await patchUser(ctx, id, { schemas: [PATCH], Operations: [{ op: 'remove', path: 'emails' }] });
    t.is(await email(id), 'it-desk@example.org');
    t.false('emails' in (await getUser(ctx, id, parseProjection(undefined, undefined))).resource);
  });
});
