import { randomBytes } from 'node:crypto';
import test from 'ava';
import type { Scope } from '../../src/access/actor.ts';
import { ConflictError, LimitError, NotFoundError, ValidationError } from '../../src/errors.ts';
import {
  acceptBuiltIn,
  invitationHook,
  openInvitation,
} from '../../src/invitations/invitation-acceptance.ts';
import { createInvitations, type InvitationDeps } from '../../src/invitations/invitation-create.ts';
import {
  deleteInvitation,
  getInvitation,
  listInvitations,
  resendInvitation,
} from '../../src/invitations/invitation-manage.ts';
import { linkSealer } from '../../src/invitations/link-sealer.ts';
import { openedMailData } from '../../src/mail/outbox.ts';
import { createRole } from '../../src/catalog/role-service.ts';
import { createMember } from '../../src/members/member-service.ts';
import { updateOrganization } from '../../src/org-settings/organization-settings.ts';
import { eachDatabase, type Fixture } from '../helpers/databases.ts';

// Email invitations on PGlite and PostgreSQL: pending members with their invitation and mail in
// one transaction, refusals that write nothing, expiry with a controlled clock, resend, delete,
// existing accounts, built-in acceptance once, and the sign-in hook.

const DAY = 86_400_000;
const tokenOf = (link: string | null) => new URL(link!).searchParams.get('token')!;

/** The organization signs in with an OpenID Connect source named corp. */
function depsOf(f: Fixture): InvitationDeps {
  return {
    ...f.deps,
    publicUrl: 'https://id.example.test',
    sources: () => [{ name: 'corp', type: 'oidc' }],
  };
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
  test(`[${kind}] an invitation is a pending member, an invitation and a mail; the link works until expiry`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const t0 = new Date();
    const {
      items: [invitation],
    } = await createInvitations(
      depsOf(f),
      scope,
      { email: 'ada@example.org', role: 'Publisher', language: 'fr', message: 'Bienvenue' },
      t0,
    );
    t.like(invitation, {
      email: 'ada@example.org',
      role: 'Publisher',
      status: 'pending',
      mode: 'any-account',
      language: 'fr',
      username: null,
    });
    t.regex(
      invitation!.link!,
      /^https:\/\/id\.example\.test\/invitations\/accept\?token=inv_[A-Za-z0-9_-]{43}&lang=fr$/,
    );
    t.is(
      Date.parse(invitation!.expiresAt!) - t0.getTime(),
      14 * DAY,
      'the organization default of 14 days',
    );
    t.deepEqual(await counts(f, scope.orgId), { members: 1, invitations: 1, mails: 1 });
    const member = (await f.database
      .knex('members')
      .where('id', invitation!.memberId)
      .first('status'))!;
    t.is(member.status, 'pending');
    const mail = (await f.database.knex('mail_outbox').where('org_id', scope.orgId).first())!;
    t.like(mail, {
      recipient: 'ada@example.org',
      template: 'invitation',
      language: 'fr',
      status: 'queued',
    });
    t.is(mail.data!.link, null, 'the link is not kept in clear in the outbox');
    t.is(openedMailData(mail.data!, depsOf(f).links)!.link, invitation!.link);
    const stored = (await f.database
      .knex('invitations')
      .where('id', invitation!.id)
      .first('token_hash'))!;
    t.false(Buffer.from(stored.token_hash!).toString('hex').includes(tokenOf(invitation!.link)));
    t.truthy(
      await openInvitation(
        f.database.knex,
        scope.orgId,
        tokenOf(invitation!.link),
        new Date(t0.getTime() + 13 * DAY),
      ),
    );
    t.is(
      await openInvitation(
        f.database.knex,
        scope.orgId,
        tokenOf(invitation!.link),
        new Date(t0.getTime() + 14 * DAY),
      ),
      null,
      'expired',
    );
    const listed = await listInvitations(
      { ...depsOf(f), maxPageSize: 500 },
      scope,
      { status: 'expired' },
      new Date(t0.getTime() + 15 * DAY),
    );
    t.is(listed.total, 1);
    t.is(listed.items[0]!.link, null, 'an expired invitation shows no link');
  });

  test(`[${kind}] bad input is refused with a clear message and nothing is written`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const deps = depsOf(f);
    const cases: Array<[unknown, RegExp]> = [
      [{ email: "o'neil@example.org" }, /apostrophe/],
      [{ emails: ['ok@example.org', 'bad address'] }, /emails\.1/],
      [{ email: 'x@example.org', role: 'Nope' }, /unknown role/],
      [
        { email: 'x@example.org', role: 'Administrator' },
        /administrator role.*allowAdminInvitations/,
      ],
      [{ email: 'x@example.org', mode: 'add-and-notify' }, /username: is required/],
      [{ emails: ['a@example.org', 'A@example.org'] }, /listed twice/],
    ];
    for (const [input, message] of cases)
      await t.throwsAsync(
        createInvitations(deps, scope, input),
        { instanceOf: ValidationError, message },
        JSON.stringify(input),
      );
    t.deepEqual(await counts(f, scope.orgId), { members: 0, invitations: 0, mails: 0 });

    await updateOrganization(f.database.knex, scope, { membershipLimit: 2 });
    await t.throwsAsync(
      createInvitations(deps, scope, {
        emails: ['a@example.org', 'b@example.org', 'c@example.org'],
      }),
      { instanceOf: LimitError },
    );
    t.deepEqual(
      await counts(f, scope.orgId),
      { members: 0, invitations: 0, mails: 0 },
      'one refused address refuses all',
    );
    await createInvitations(deps, scope, { emails: ['a@example.org', 'b@example.org'] });
    await t.throwsAsync(createInvitations(deps, scope, { email: 'c@example.org' }), {
      instanceOf: LimitError,
      message: /pending invitations included/,
    });
    await t.throwsAsync(createInvitations(deps, scope, { email: 'a@example.org' }), {
      instanceOf: ConflictError,
      message: /already invited/,
    });

    await updateOrganization(f.database.knex, scope, {
      membershipLimit: null,
      allowAdminInvitations: true,
    });
    t.is(
      (await createInvitations(deps, scope, { email: 'boss@example.org', role: 'Administrator' }))
        .items[0]!.role,
      'Administrator',
    );
  });

  test(`[${kind}] resend kills the old link; delete frees the username; only pending ones`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const deps = depsOf(f);
    const db = f.database.knex;
    const {
      items: [first],
    } = await createInvitations(deps, scope, {
      email: 'kim@example.org',
      mode: 'add-and-notify',
      username: 'kim.created',
    });
    t.is(first!.username, 'kim.created');
    const resent = await resendInvitation(deps, scope, first!.id, new Date(Date.now() + DAY));
    t.not(resent.link, first!.link);
    t.is(await openInvitation(db, scope.orgId, tokenOf(first!.link)), null, 'the old link is dead');
    t.truthy(await openInvitation(db, scope.orgId, tokenOf(resent.link)));
    t.is(
      Number(
        (
          (await db('mail_outbox').where('invitation_id', first!.id).count({ n: '*' })) as Array<{
            n: string;
          }>
        )[0]!.n,
      ),
      2,
    );
    const deleted = await deleteInvitation(db, scope, first!.id);
    t.is(deleted.status, 'deleted');
    t.is(
      await openInvitation(db, scope.orgId, tokenOf(resent.link)),
      null,
      'a deleted invitation opens nothing',
    );
    await t.throwsAsync(deleteInvitation(db, scope, first!.id), {
      instanceOf: ConflictError,
      message: /only a pending invitation/,
    });
    await t.throwsAsync(resendInvitation(deps, scope, first!.id), { instanceOf: ConflictError });
    t.is(
      (
        await createInvitations(deps, scope, {
          email: 'kim2@example.org',
          mode: 'add-and-notify',
          username: 'kim.created',
        })
      ).items[0]!.username,
      'kim.created',
      'the username is reusable',
    );
  });

  test(`[${kind}] the table shows each open invitation's copyable link (sealed, not stored in clear), sorted and paged`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const deps = depsOf(f);
    const view = { ...deps, maxPageSize: 2 };
    const { items } = await createInvitations(deps, scope, {
      emails: ['c.link@example.org', 'a.link@example.org', 'b.link@example.org'],
    });
    const shown = await getInvitation(deps, scope, items[0]!.id);
    t.is(shown.link, items[0]!.link, 'show gives the link the mail carried');
    const stored = (await f.database
      .knex('invitations')
      .where('id', items[0]!.id)
      .first('token_sealed'))!;
    t.false(
      Buffer.from(stored.token_sealed!).includes(Buffer.from(tokenOf(items[0]!.link))),
      'the token is sealed, not kept in clear',
    );
    t.is(
      (await getInvitation({ ...deps, links: linkSealer(randomBytes(32)) }, scope, items[0]!.id))
        .link,
      null,
      'another key opens nothing',
    );

    const page1 = await listInvitations(view, scope, { sort: 'email', pageSize: 2 });
    t.deepEqual(
      [page1.total, page1.items.map((i) => i.email)],
      [3, ['a.link@example.org', 'b.link@example.org']],
    );
    t.deepEqual(
      page1.items.map((i) => i.link),
      [items[1]!.link, items[2]!.link],
    );
    const page2 = await listInvitations(view, scope, { sort: 'email', pageSize: 2, page: 2 });
    t.deepEqual(
      page2.items.map((i) => i.email),
      ['c.link@example.org'],
    );
    t.deepEqual(
      (await listInvitations(view, scope, { sort: '-email', pageSize: 1 })).items.map(
        (i) => i.email,
      ),
      ['c.link@example.org'],
    );
    await t.throwsAsync(listInvitations(view, scope, { pageSize: 3 }), {
      instanceOf: ValidationError,
      message: /pageSize: must be at most 2/,
    });
    await t.throwsAsync(listInvitations(view, scope, { sort: 'shoeSize' }), {
      instanceOf: ValidationError,
      message: /sort: must be one of createdAt/,
    });

    const resent = await resendInvitation(deps, scope, items[0]!.id);
    t.is(
      (await getInvitation(deps, scope, items[0]!.id)).link,
      resent.link,
      'after a resend the table shows the new link',
    );
    await deleteInvitation(f.database.knex, scope, items[0]!.id);
    t.is((await getInvitation(deps, scope, items[0]!.id)).link, null);
    t.is(
      (await f.database.knex('invitations').where('id', items[0]!.id).first('token_sealed'))!
        .token_sealed,
      null,
      'deleting forgets the sealed token',
    );
  });

  test(`[${kind}] partner portal: a role that needs a Vertex ID is given with it, to new invitees and to existing members`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const deps = depsOf(f);
    await createRole(f.database.knex, scope, {
      name: 'hoster',
      privileges: ['view'],
      parameterName: 'Vertex ID',
    });
    const before = await counts(f, scope.orgId);
    await t.throwsAsync(
      createInvitations(deps, scope, { email: 'host@example.org', role: 'hoster' }),
      { instanceOf: ValidationError, message: 'roleParameter: role hoster needs a Vertex ID' },
    );
    await t.throwsAsync(
      createInvitations(deps, scope, {
        email: 'host@example.org',
        role: 'User',
        roleParameter: 'v-1',
      }),
      { instanceOf: ValidationError, message: 'roleParameter: role User takes no parameter' },
    );
    t.deepEqual(await counts(f, scope.orgId), before);
    const {
      items: [invited],
    } = await createInvitations(deps, scope, {
      email: 'host@example.org',
      role: 'hoster',
      roleParameter: 'vertex-42',
    });
    t.like(
      await f.database
        .knex('members')
        .where('id', invited!.memberId)
        .first('role_parameter', 'status'),
      { role_parameter: 'vertex-42', status: 'pending' },
    );
    await createMember(deps, scope, {
      username: 'partner.one',
      email: 'partner@example.org',
      firstName: 'P',
      lastName: 'One',
      password: 'Harbour-5521-x',
    });
    const {
      items: [added],
    } = await createInvitations(deps, scope, {
      email: 'partner@example.org',
      role: 'hoster',
      roleParameter: 'vertex-7',
    });
    t.is(added!.status, 'added');
    const granted = await f.database
      .knex('member_roles as mr')
      .join('roles as r', 'r.id', 'mr.role_id')
      .where('mr.member_id', added!.memberId)
      .first('r.name', 'mr.parameter');
    t.deepEqual(granted, { name: 'hoster', parameter: 'vertex-7' });
  });

  test(`[${kind}] inviting an existing member gives the role directly and notifies; add without invitation sends nothing`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const deps = depsOf(f);
    const db = f.database.knex;
    const existing = await createMember(f.deps, scope, {
      username: 'sam.existing',
      email: 'sam@example.org',
      firstName: 'Sam',
      lastName: 'E',
      userType: 'Creator',
      role: 'Viewer',
    });
    const {
      items: [added],
    } = await createInvitations(deps, scope, { email: 'SAM@example.org', role: 'Publisher' });
    t.like(added, { status: 'added', mode: 'existing-account', memberId: existing.id, link: null });
    t.is((await db('member_roles').where('member_id', existing.id)).length, 1);
    t.like(await db('mail_outbox').where('invitation_id', added!.id).first(), {
      template: 'added-to-organization',
    });
    const {
      items: [direct],
    } = await createInvitations(deps, scope, {
      email: 'lee@example.org',
      mode: 'add-without-invitation',
      username: 'lee.direct',
      password: 'Harbour-5521-x',
    });
    t.like(direct, { status: 'added', link: null });
    t.like(await db('members').where('id', direct!.memberId).first(), {
      status: 'active',
      username: 'lee.direct',
      must_change_password: true,
    });
    t.is((await db('mail_outbox').where('invitation_id', direct!.id)).length, 0);
  });

  test(`[${kind}] built-in acceptance sets username and password once; the hook accepts enterprise sign-ins`, async (t) => {
    const f = fixture();
    const scope: Scope = await f.newOrg();
    const deps = depsOf(f);
    const db = f.database.knex;
    const {
      items: [inv],
    } = await createInvitations(deps, scope, {
      email: 'ann@example.org',
      mustUseInvitedEmail: true,
    });
    const token = tokenOf(inv!.link);
    await t.throwsAsync(acceptBuiltIn(deps, { token, username: 'ann', password: 'short' }), {
      instanceOf: ValidationError,
      message: /username.*password/s,
    });
    await t.throwsAsync(
      acceptBuiltIn(deps, {
        token,
        username: 'ann.accepts',
        password: 'Harbour-5521-x',
        email: 'other@example.org',
      }),
      { instanceOf: ValidationError, message: /invited address/ },
    );
    const accepted = await acceptBuiltIn(deps, {
      token,
      username: 'ann.accepts',
      password: 'Harbour-5521-x',
    });
    t.like(await db('members').where('id', accepted.memberId).first(), {
      status: 'active',
      username: 'ann.accepts',
      email: 'ann@example.org',
    });
    await t.throwsAsync(
      acceptBuiltIn(deps, { token, username: 'ann.again', password: 'Harbour-5521-x' }),
      { instanceOf: NotFoundError },
      'a second acceptance finds nothing',
    );
    t.like((await listInvitations({ ...deps, maxPageSize: 500 }, scope, {})).items[0], {
      status: 'accepted',
      link: null,
    });

    // Without any SAML or OIDC source, the invitee would have no way to join: refused, nothing written.
    const before = await counts(f, scope.orgId);
    const noEnterprise = await t.throwsAsync(
      createInvitations({ ...deps, sources: () => [{ name: 'builtin', type: 'builtin' }] }, scope, {
        email: 'eve@corp.example',
        mode: 'organization-logins',
      }),
      { instanceOf: ValidationError },
    );
    t.deepEqual(
      noEnterprise!.issues.map((i) => i.field),
      ['mode'],
    );
    t.regex(noEnterprise!.message, /needs a SAML or OpenID Connect source/);
    t.deepEqual(await counts(f, scope.orgId), before);
    const {
      items: [ent],
    } = await createInvitations(deps, scope, {
      email: 'eve@corp.example',
      mode: 'organization-logins',
      source: 'corp',
      externalId: 'uid=eve',
    });
    await t.throwsAsync(
      acceptBuiltIn(deps, {
        token: tokenOf(ent!.link),
        username: 'eve.local',
        password: 'Harbour-5521-x',
      }),
      { message: /organization logins only/ },
    );
    await db.transaction(async (trx) => {
      const pending = await invitationHook.find(trx, scope.orgId, tokenOf(ent!.link));
      t.like(pending, {
        email: 'eve@corp.example',
        mode: 'organization-logins',
        memberId: ent!.memberId,
      });
      await invitationHook.accept(trx, scope.orgId, pending!, {
        memberId: ent!.memberId!,
        source: 'corp',
        login: 'eve@corp.example',
      });
      t.is(await invitationHook.find(trx, scope.orgId, tokenOf(ent!.link)), null);
    });
    t.like(await db('members').where('id', ent!.memberId).first(), {
      username: 'eve@corp.example',
    });
    t.like(await db('identity_links').where('member_id', ent!.memberId).first(), {
      source: 'corp',
      external_id: 'uid=eve',
    });
  });
});
