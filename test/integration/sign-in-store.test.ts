import test from 'ava';
import type { Knex } from 'knex';
import { SignInDeniedError } from '../../src/errors.ts';
import { createMember, setMemberStatus } from '../../src/members/member-service.ts';
import { updateOrganization } from '../../src/org-settings/organization-settings.ts';
import { consumeOnce } from '../../src/sign-in/consumed-ids.ts';
import { type EnterprisePolicy, signInEnterprise } from '../../src/sign-in/enterprise-sign-in.ts';
import type {
  AcceptedBy,
  InvitationAcceptanceHook,
  PendingInvitation,
} from '../../src/sign-in/invitation-hook.ts';
import { clearFailures, failureState, recordFailure } from '../../src/sign-in/lockout-store.ts';
import {
  findSession,
  openSession,
  revokeMemberSessions,
  revokeSession,
} from '../../src/sign-in/sessions.ts';
import { newFlowId, saveFlow, takeFlow } from '../../src/sign-in/sign-in-flows.ts';
import { eachDatabase, type Fixture } from '../helpers/databases.ts';

// The sign-in store on PGlite and PostgreSQL: linking and the source policies, the invitation
// acceptance hook with a minimal invitation fixture, sessions, replay ids, flows and lock-out.

const OFF: EnterprisePolicy = { autoRegister: false, linkBy: 'none' };

/** The smallest invitations model that fits the hook: what the invitations use case implements for real. */
class InvitationFixture implements InvitationAcceptanceHook {
  readonly invitations = new Map<string, PendingInvitation>();
  readonly accepted: Array<{ invitation: string; by: AcceptedBy; memberStatus: string }> = [];
  async find(_trx: Knex.Transaction, _orgId: string, token: string) {
    return this.invitations.get(token) ?? null;
  }
  async accept(
    trx: Knex.Transaction,
    _orgId: string,
    invitation: PendingInvitation,
    by: AcceptedBy,
  ) {
    const member = (await trx('members').where('id', invitation.memberId).first('status'))!;
    this.accepted.push({ invitation: invitation.id, by, memberStatus: member.status });
    this.invitations.delete([...this.invitations].find(([, i]) => i.id === invitation.id)![0]);
  }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SignInDeniedError) return error.refusal;
    throw error;
  }
  throw new Error('the sign-in was not refused');
}

const links = (f: Fixture, orgId: string) =>
  f.database
    .knex('identity_links')
    .where('org_id', orgId)
    .select('member_id', 'source', 'external_id', 'login');

eachDatabase((kind, fixture) => {
  test(`[${kind}] the identity link wins; without one, the policy links, registers or refuses`, async (t) => {
    const f = fixture();
    const { orgId } = await f.newOrg();
    const deps = { db: f.database.knex, hasher: f.deps.hasher, invitations: null };
    const identity = {
      externalId: 'nameid-1',
      login: 'jo.doe@corp.example',
      email: 'jo@corp.example',
      firstName: 'Jo',
      lastName: 'Doe',
    };
    t.is(
      await refusal(signInEnterprise(deps, { orgId, source: 'corp', policy: OFF, identity })),
      'not-allowed',
    );
    t.is((await links(f, orgId)).length, 0);

    const registered = await signInEnterprise(deps, {
      orgId,
      source: 'corp',
      policy: { autoRegister: true, linkBy: 'none' },
      identity,
    });
    t.is(registered.outcome, 'registered');
    const member = await f.database.knex('members').where('id', registered.memberId).first();
    t.like(member, {
      username: 'jo.doe@corp.example',
      email: 'jo@corp.example',
      first_name: 'Jo',
      last_name: 'Doe',
      source: 'corp',
      status: 'active',
    });
    t.deepEqual(await links(f, orgId), [
      {
        member_id: registered.memberId,
        source: 'corp',
        external_id: 'nameid-1',
        login: 'jo.doe@corp.example',
      },
    ]);
    t.deepEqual(await signInEnterprise(deps, { orgId, source: 'corp', policy: OFF, identity }), {
      memberId: registered.memberId,
      outcome: 'linked',
    });

    const local = await createMember(
      f.deps,
      { orgId, actor: { type: 'system', id: null, label: 't', access: 'administrator' } },
      { username: 'sam_smith.x', email: 'sam@corp.example', firstName: 'Sam', lastName: 'Smith' },
    );
    const matched = await signInEnterprise(deps, {
      orgId,
      source: 'corp',
      policy: { autoRegister: false, linkBy: 'username' },
      identity: { externalId: 'nameid-2', login: 'sam smith.x' },
    });
    t.deepEqual(
      matched,
      { memberId: local.id, outcome: 'matched' },
      'the login is matched as an enterprise account name (space → _)',
    );

    await createMember(
      f.deps,
      { orgId, actor: { type: 'system', id: null, label: 't', access: 'administrator' } },
      { username: 'twin.one', email: 'twins@corp.example', firstName: 'T', lastName: 'One' },
    );
    await createMember(
      f.deps,
      { orgId, actor: { type: 'system', id: null, label: 't', access: 'administrator' } },
      { username: 'twin.two', email: 'twins@corp.example', firstName: 'T', lastName: 'Two' },
    );
    t.is(
      await refusal(
        signInEnterprise(deps, {
          orgId,
          source: 'corp',
          policy: { autoRegister: true, linkBy: 'email' },
          identity: { externalId: 'nameid-3', login: 'twin', email: 'TWINS@corp.example' },
        }),
      ),
      'ambiguous-match',
    );
    t.is(
      await refusal(
        signInEnterprise(deps, {
          orgId,
          source: 'corp',
          policy: { autoRegister: true, linkBy: 'none' },
          identity: { externalId: 'nameid-4', login: 'no.mail' },
        }),
      ),
      'email-required',
    );
    // With a stand-in address, a login without one registers with it; a provider's address with
    // an apostrophe is taken as RFC 5321 allows.
    const system = {
      type: 'system' as const,
      id: null,
      label: 't',
      access: 'administrator' as const,
    };
    await updateOrganization(
      f.database.knex,
      { orgId, actor: system },
      {
        newMemberDefaults: { standInEmail: 'it@corp.example' },
      },
    );
    const standIn = await signInEnterprise(deps, {
      orgId,
      source: 'corp',
      policy: { autoRegister: true, linkBy: 'none' },
      identity: { externalId: 'nameid-4', login: 'no.mail' },
    });
    t.like(await f.database.knex('members').where('id', standIn.memberId).first(), {
      email: 'it@corp.example',
    });
    const apostrophe = await signInEnterprise(deps, {
      orgId,
      source: 'corp',
      policy: { autoRegister: true, linkBy: 'none' },
      identity: { externalId: 'nameid-5', login: 'obrien', email: "o'brien@corp.example" },
    });
    t.like(await f.database.knex('members').where('id', apostrophe.memberId).first(), {
      email: "o'brien@corp.example",
    });
    t.is(
      await refusal(
        signInEnterprise(deps, {
          orgId,
          source: 'other',
          policy: { autoRegister: true, linkBy: 'none' },
          identity: { externalId: 'x', login: 'twin.one', email: 'a@b.example' },
        }),
      ),
      'username-taken',
    );

    await setMemberStatus(
      f.deps,
      { orgId, actor: { type: 'system', id: null, label: 't', access: 'administrator' } },
      registered.memberId,
      'disabled',
    );
    t.is(
      await refusal(signInEnterprise(deps, { orgId, source: 'corp', policy: OFF, identity })),
      'disabled',
    );
  });

  test(`[${kind}] an invitation joins the invited member; a different email from the IdP is refused`, async (t) => {
    const f = fixture();
    const { orgId } = await f.newOrg();
    const hook = new InvitationFixture();
    const deps = { db: f.database.knex, hasher: f.deps.hasher, invitations: hook };
    const admin = {
      orgId,
      actor: { type: 'system' as const, id: null, label: 't', access: 'administrator' as const },
    };
    const pending = await createMember(f.deps, admin, {
      username: 'invited.one',
      email: 'Invited@Corp.example',
      firstName: 'In',
      lastName: 'Vited',
      status: 'pending',
    });
    hook.invitations.set('token-1', {
      id: 'inv-1',
      email: 'invited@corp.example',
      mode: 'organization-logins',
      memberId: pending.id,
    });

    const mismatch = {
      externalId: 'sub-9',
      login: 'someone-else',
      email: 'someone.else@corp.example',
    };
    t.is(
      await refusal(
        signInEnterprise(deps, {
          orgId,
          source: 'corp',
          policy: OFF,
          identity: mismatch,
          invitationToken: 'token-1',
        }),
      ),
      'invitation-email-mismatch',
    );
    t.is(
      (await f.database.knex('members').where('id', pending.id).first())!.status,
      'pending',
      'nothing changed',
    );
    t.is((await links(f, orgId)).length, 0);
    t.is(hook.accepted.length, 0);

    t.is(
      await refusal(
        signInEnterprise(deps, {
          orgId,
          source: 'corp',
          policy: OFF,
          identity: mismatch,
          invitationToken: 'unknown',
        }),
      ),
      'invitation-invalid',
    );
    t.is(
      await refusal(
        signInEnterprise(
          { ...deps, invitations: null },
          { orgId, source: 'corp', policy: OFF, identity: mismatch, invitationToken: 'token-1' },
        ),
      ),
      'invitation-invalid',
    );

    const invited = { externalId: 'sub-1', login: 'in-vited', email: 'INVITED@corp.example' };
    const accepted = await signInEnterprise(deps, {
      orgId,
      source: 'corp',
      policy: OFF,
      identity: invited,
      invitationToken: 'token-1',
    });
    t.deepEqual(accepted, { memberId: pending.id, outcome: 'invited' });
    t.like(await f.database.knex('members').where('id', pending.id).first(), {
      status: 'active',
      source: 'corp',
    });
    t.deepEqual(hook.accepted, [
      {
        invitation: 'inv-1',
        by: { memberId: pending.id, source: 'corp', login: 'in-vited' },
        memberStatus: 'active',
      },
    ]);
    t.deepEqual(
      await signInEnterprise(deps, { orgId, source: 'corp', policy: OFF, identity: invited }),
      { memberId: pending.id, outcome: 'linked' },
    );
    t.is(
      await refusal(
        signInEnterprise(deps, {
          orgId,
          source: 'corp',
          policy: OFF,
          identity: invited,
          invitationToken: 'token-1',
        }),
      ),
      'invitation-invalid',
      'used once',
    );

    const second = await createMember(f.deps, admin, {
      username: 'invited.two',
      email: 'two@corp.example',
      firstName: 'T',
      lastName: 'Wo',
      status: 'pending',
    });
    hook.invitations.set('token-2', {
      id: 'inv-2',
      email: 'two@corp.example',
      mode: 'any-account',
      memberId: second.id,
    });
    const noEmail = await signInEnterprise(deps, {
      orgId,
      source: 'corp',
      policy: OFF,
      identity: { externalId: 'sub-2', login: 'two' },
      invitationToken: 'token-2',
    });
    t.is(noEmail.memberId, second.id, 'an IdP that sends no email does not stop the invitation');
  });

  test(`[${kind}] sessions: only the token's hash is stored; revoked, expired and disabled end them`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const member = await createMember(f.deps, scope, {
      username: 'session.user',
      email: 's@example.org',
      firstName: 'Se',
      lastName: 'Ssion',
    });
    const db = f.database.knex;
    const { token, session } = await openSession(db, {
      orgId: scope.orgId,
      memberId: member.id,
      source: 'builtin',
      mustChangePassword: false,
      hours: 1,
    });
    t.like(await findSession(db, token), {
      id: session.id,
      username: 'session.user',
      mustChangePassword: false,
    });
    t.truthy((await db('members').where('id', member.id).first())!.last_sign_in_at);
    const stored = await db('sessions').where('id', session.id).first();
    t.false(JSON.stringify(stored).includes(token));
    t.is(await findSession(db, `${token}x`), null);
    t.true(await revokeSession(db, session.id));
    t.is(await findSession(db, token), null);

    const other = await openSession(db, {
      orgId: scope.orgId,
      memberId: member.id,
      source: 'builtin',
      mustChangePassword: false,
      hours: 1,
    });
    const kept = await openSession(db, {
      orgId: scope.orgId,
      memberId: member.id,
      source: 'builtin',
      mustChangePassword: false,
      hours: 1,
    });
    t.is(await revokeMemberSessions(db, member.id, kept.session.id), 1);
    t.is(await findSession(db, other.token), null);
    await db('sessions')
      .where('id', kept.session.id)
      .update({ expires_at: new Date(Date.now() - 1000) });
    t.is(await findSession(db, kept.token), null);
    const last = await openSession(db, {
      orgId: scope.orgId,
      memberId: member.id,
      source: 'builtin',
      mustChangePassword: false,
      hours: 1,
    });
    await setMemberStatus(f.deps, scope, member.id, 'disabled');
    t.is(await findSession(db, last.token), null);
  });

  test(`[${kind}] one-time ids, sign-in flows and lock-out counters`, async (t) => {
    const f = fixture();
    const { orgId } = await f.newOrg();
    const db = f.database.knex;
    const later = new Date(Date.now() + 60_000);
    t.true(await consumeOnce(db, { orgId, source: 'corp', id: '_a1', expiresAt: later }));
    t.false(
      await consumeOnce(db, { orgId, source: 'corp', id: '_a1', expiresAt: later }),
      'a replay',
    );
    t.true(
      await consumeOnce(db, { orgId, source: 'other', id: '_a1', expiresAt: later }),
      'ids are per source',
    );
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        consumeOnce(db, { orgId, source: 'corp', id: '_race', expiresAt: later }),
      ),
    );
    t.is(results.filter(Boolean).length, 1, 'of concurrent uses exactly one wins');

    const flow = newFlowId();
    await saveFlow(db, flow.hash, {
      orgId,
      source: 'corp',
      pending: { nonce: 'n' },
      invitationToken: null,
      returnTo: '/auth/sign-in?lang=en',
    });
    t.is(await takeFlow(db, flow.id, 'other'), null, 'a flow belongs to its source');
    t.deepEqual(await takeFlow(db, flow.id, 'corp'), {
      orgId,
      source: 'corp',
      pending: { nonce: 'n' },
      invitationToken: null,
      returnTo: '/auth/sign-in?lang=en',
    });
    t.is(await takeFlow(db, flow.id, 'corp'), null, 'used once');
    const stale = newFlowId();
    await saveFlow(db, stale.hash, {
      orgId,
      source: 'corp',
      pending: {},
      invitationToken: null,
      returnTo: '/',
    });
    await db('sign_in_flows')
      .where('id_hash', stale.hash)
      .update({ expires_at: new Date(Date.now() - 1000) });
    t.is(await takeFlow(db, stale.id, 'corp'), null, 'expired');

    const policy = { maxFailures: 2, lockoutMinutes: 5 };
    t.like(await recordFailure(db, orgId, 'Kim', policy), { failures: 1, lockedUntil: null });
    const locked = await recordFailure(db, orgId, 'kim', policy);
    t.truthy(locked.lockedUntil);
    t.truthy((await failureState(db, orgId, 'KIM'))?.lockedUntil);
    await clearFailures(db, orgId, 'kim');
    t.is(await failureState(db, orgId, 'kim'), null);
  });
});
