import test from 'ava';
import { createRole, updateRole } from '../../src/catalog/role-service.ts';
import { ValidationError } from '../../src/errors.ts';
import { acceptBuiltIn } from '../../src/invitations/invitation-acceptance.ts';
import { createInvitations, type InvitationDeps } from '../../src/invitations/invitation-create.ts';
import { getInvitation } from '../../src/invitations/invitation-manage.ts';
import { renderMail } from '../../src/mail/templates.ts';
import { createMember } from '../../src/members/member-service.ts';
import { updateMember } from '../../src/members/member-update.ts';
import { updateOrganization } from '../../src/org-settings/organization-settings.ts';
import { eachDatabase, type Fixture } from '../helpers/databases.ts';

// The optional roles of the German administrators' guide, on PGlite and PostgreSQL: an invitation
// may give no role when the organization allows it (the member has the defaults only; an existing member gets nothing
// but the mail), and a role's parameter is required or optional as the role declares.

function depsOf(f: Fixture): InvitationDeps {
  return { ...f.deps, publicUrl: 'https://id.example.test', sources: () => [] };
}

async function counts(f: Fixture, orgId: string) {
  const db = f.database.knex;
  const n = async (table: string) =>
    Number(
      ((await db(table).where('org_id', orgId).count({ n: '*' })) as Array<{ n: string }>)[0]!.n,
    );
  return {
    members: await n('members'),
    invitations: await n('invitations'),
    mails: await n('mail_outbox'),
  };
}

eachDatabase((kind, fixture) => {
  test(`[${kind}] an invitation without a role is refused unless the organization allows it; then the invitee gets only the defaults`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const deps = depsOf(f);
    const db = f.database.knex;
    const before = await counts(f, scope.orgId);
    await t.throwsAsync(
      createInvitations(deps, scope, { email: 'guest@example.org', role: null }),
      {
        instanceOf: ValidationError,
        message:
          /role: an invitation without a role needs the organization to allow it \(allowInvitationsWithoutRole\)/,
      },
    );
    t.deepEqual(await counts(f, scope.orgId), before, 'nothing written');

    const org = await updateOrganization(db, scope, {
      allowInvitationsWithoutRole: true,
      newMemberDefaults: { userType: 'Viewer', role: 'Viewer' },
    });
    t.true(org.allowInvitationsWithoutRole);
    await t.throwsAsync(
      createInvitations(deps, scope, {
        email: 'guest@example.org',
        role: null,
        roleParameter: 'x',
      }),
      {
        instanceOf: ValidationError,
        message: /roleParameter: an invitation without a role takes no parameter/,
      },
    );
    const {
      items: [invitation],
    } = await createInvitations(deps, scope, {
      email: 'guest@example.org',
      role: null,
      language: 'de',
    });
    t.is(invitation!.role, null);
    t.is((await getInvitation({ ...deps, db }, scope, invitation!.id)).role, null);
    const stored = (await db('invitations').where('id', invitation!.id).first())!;
    t.is(stored.role_id, null);
    const member = await db('members as m')
      .join('roles as r', 'r.id', 'm.role_id')
      .where('m.id', invitation!.memberId)
      .first('r.name as role', 'm.status');
    t.deepEqual(member, { role: 'Viewer', status: 'pending' }, 'the default role for new members');
    t.is(
      await db('member_roles')
        .where('member_id', invitation!.memberId)
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      0,
    );
    const mail = (await db('mail_outbox').where('invitation_id', invitation!.id).first())!;
    t.is(mail.data!.role, null);
    const rendered = renderMail('invitation', 'de', mail.data!);
    t.regex(rendered.text, /lädt Sie ein, Ihr Konto bei .* zu erstellen\./);
    t.notRegex(rendered.text, /Rolle/);

    const accepted = await acceptBuiltIn(deps, {
      token: new URL(invitation!.link!).searchParams.get('token')!,
      username: 'guest_one',
      password: 'Harbour-5521-x',
    });
    t.like(await db('members').where('id', accepted.memberId).first(), { status: 'active' });

    await createMember(deps, scope, {
      username: 'partner.two',
      email: 'partner2@example.org',
      firstName: 'P',
      lastName: 'Two',
      userType: 'Creator',
      role: 'User',
    });
    const {
      items: [existing],
    } = await createInvitations(deps, scope, { email: 'partner2@example.org', role: null });
    t.like(existing, { status: 'added', role: null });
    const partner = (await db('members').where('username', 'partner.two').first())!;
    t.is(
      Number((await db('member_roles').where('member_id', partner.id).count({ n: '*' }))[0]!.n),
      0,
      'an existing member invited without a role gets no role',
    );
    const told = (await db('mail_outbox').where('invitation_id', existing!.id).first())!;
    t.regex(
      renderMail('added-to-organization', 'en', told.data!).text,
      /added you to .*\. Sign in as usual\./,
    );
  });

  test(`[${kind}] a role's parameter is required or optional as the role declares`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const deps = depsOf(f);
    const db = f.database.knex;
    const pp = await createRole(db, scope, {
      name: 'ds_pp',
      privileges: ['view'],
      parameterName: 'default project',
      parameterRequired: false,
    });
    t.is(pp.parameterRequired, false);
    await createRole(db, scope, {
      name: 'hoster',
      privileges: ['view'],
      parameterName: 'Vertex ID',
    });
    await t.throwsAsync(
      createRole(db, scope, { name: 'plain', privileges: ['view'], parameterRequired: false }),
      { instanceOf: ValidationError, message: /only a role with a parameterName/ },
    );
    const {
      items: [without],
    } = await createInvitations(deps, scope, { email: 'pp1@example.org', role: 'ds_pp' });
    t.like(await db('members').where('id', without!.memberId).first('role_parameter'), {
      role_parameter: null,
    });
    const {
      items: [withProject],
    } = await createInvitations(deps, scope, {
      email: 'pp2@example.org',
      role: 'ds_pp',
      roleParameter: 'project-9',
    });
    t.like(await db('members').where('id', withProject!.memberId).first('role_parameter'), {
      role_parameter: 'project-9',
    });
    await t.throwsAsync(
      createInvitations(deps, scope, { email: 'h@example.org', role: 'hoster' }),
      {
        instanceOf: ValidationError,
        message: 'roleParameter: role hoster needs a Vertex ID',
      },
    );
    const member = await createMember(deps, scope, {
      username: 'viewer.pp',
      email: 'vpp@example.org',
      firstName: 'V',
      lastName: 'P',
      userType: 'Viewer',
      role: 'ds_pp',
    });
    t.is(member.role.parameter, null);
    await t.throwsAsync(updateMember(deps, scope, member.id, { role: 'hoster' }), {
      instanceOf: ValidationError,
      message: /role hoster needs a Vertex ID/,
    });
    await updateRole(db, scope, 'hoster', { parameterRequired: false });
    t.is((await updateMember(deps, scope, member.id, { role: 'hoster' })).role.name, 'hoster');
  });
});
