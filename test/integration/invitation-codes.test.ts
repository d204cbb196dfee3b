import test from 'ava';
import type { Actor, Scope } from '../../src/access/actor.ts';
import {
  ConflictError,
  ForbiddenError,
  RateLimitedError,
  ValidationError,
} from '../../src/errors.ts';
import { redeemCode } from '../../src/invitations/code-redemption.ts';
import {
  copyCodes,
  createCodes,
  disableCode,
  getCode,
  listCodes,
} from '../../src/invitations/code-store.ts';
import { MAX_ADDRESS_FAILURES, MAX_FAILURES } from '../../src/invitations/redeem-limiter.ts';
import { memberAccess } from '../../src/access/member-access.ts';
import { createRole } from '../../src/catalog/role-service.ts';
import { getMember } from '../../src/members/member-record.ts';
import { createMember } from '../../src/members/member-service.ts';
import { eachDatabase, type Fixture } from '../helpers/databases.ts';

// Invitation codes on PGlite and PostgreSQL: creation limits, the list and its
// filters, statuses with a controlled clock, single use under 50 concurrent redemptions, grants,
// administrators of a scope, and the rate limit.

const DAY = 86_400_000;

async function member(f: Fixture, scope: Scope, username: string) {
  const m = await createMember(f.deps, scope, {
    username: `${username}.member`,
    email: `${username}@example.org`,
    firstName: 'A',
    lastName: 'B',
    userType: 'Creator',
    role: 'Viewer',
  });
  const actor: Actor = { type: 'member', id: m.id, label: `${username}.member`, access: 'editor' };
  return { id: m.id, actor, scope: { orgId: scope.orgId, actor } };
}

eachDatabase((kind, fixture) => {
  test(`[${kind}] create 1-10 codes for roles in a scope; bad input is refused and nothing is written`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    await db('groups').insert({ org_id: scope.orgId, name: 'Default Group' });
    const created = await createCodes(db, scope, {
      count: 3,
      validityDays: 10,
      roles: ['user', 'Publication'],
      scope: 'default group',
    });
    t.is(created.codes.length, 3);
    t.is(created.scope, 'Default Group');
    t.deepEqual(created.roles, ['User', 'Publisher']);
    t.regex(created.copyText, /Default Group, valid until \d{4}-\d\d-\d\d/);
    const def = await createCodes(db, scope, { roles: ['Viewer'] });
    t.is(def.codes.length, 1);
    t.true(
      Math.abs(Date.parse(def.validUntil) - Date.now() - 10 * DAY) < 60_000,
      'default validity 10 days',
    );
    t.is(def.scopeType, 'organization');

    for (const [input, field] of [
      [{ count: 11, roles: ['User'] }, 'count'],
      [{ validityDays: 0, roles: ['User'] }, 'validityDays'],
      [{ validityDays: 91, roles: ['User'] }, 'validityDays'],
      [{ roles: ['Nope'] }, 'roles'],
      [{ roles: [] }, 'roles'],
      [{ roles: ['User'], scope: 'No Such Group' }, 'scope'],
    ] as const) {
      const error = await t.throwsAsync(createCodes(db, scope, input), {
        instanceOf: ValidationError,
      });
      t.is(error!.issues[0]!.field, field, JSON.stringify(input));
    }
    const editor: Scope = {
      orgId: scope.orgId,
      actor: { type: 'key', id: null, label: 'key', access: 'editor' },
    };
    await t.throwsAsync(createCodes(db, editor, { roles: ['Administrator'] }), {
      instanceOf: ForbiddenError,
    });
    const viewer: Scope = {
      orgId: scope.orgId,
      actor: { type: 'key', id: null, label: 'key', access: 'viewer' },
    };
    await t.throwsAsync(createCodes(db, viewer, { roles: ['User'] }), {
      instanceOf: ForbiddenError,
    });
    t.is((await listCodes(db, scope, {})).total, 4);
    const stored = await db('invitation_codes')
      .where('org_id', scope.orgId)
      .select('code_hint', 'code_hash');
    t.false(JSON.stringify(stored).includes(created.codes[0]!), 'the codes are not stored');
    const audit = await db('audit_log')
      .where({ org_id: scope.orgId, action: 'code.create' })
      .select('after');
    t.false(JSON.stringify(audit).includes(created.codes[0]!), 'nor audited');
  });

  test(`[${kind}] statuses, filters, newest first, copy and disable, with a controlled clock`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const t0 = new Date('2030-01-01T00:00:00Z');
    const old = await createCodes(db, scope, { roles: ['User'], validityDays: 1 }, t0);
    const fresh = await createCodes(
      db,
      scope,
      { count: 2, roles: ['User'] },
      new Date(t0.getTime() + 1000),
    );
    const later = new Date(t0.getTime() + 2 * DAY);
    const list = await listCodes(db, scope, {}, later);
    t.deepEqual(
      list.items.map((c) => c.status),
      ['valid', 'valid', 'expired'],
    );
    t.is(list.items[2]!.id, old.ids[0]!);
    t.is((await listCodes(db, scope, { status: 'expired' }, later)).total, 1);
    await disableCode(db, scope, fresh.ids[0]!, later);
    t.is((await getCode(db, scope, fresh.ids[0]!, later)).status, 'disabled');
    t.is((await listCodes(db, scope, { status: 'valid' }, later)).total, 1);
    t.is((await listCodes(db, scope, { status: 'disabled' }, later)).total, 1);
    const copied = await copyCodes(db, scope, { codes: fresh.codes }, later);
    t.is(copied.codes.length, 2);
    t.true(copied.text.includes(fresh.codes[0]!) && copied.text.includes(fresh.codes[1]!));
    t.true(copied.text.includes('valid until 2030-01-11'));
    await t.throwsAsync(copyCodes(db, scope, { codes: ['not-a-code'] }), {
      instanceOf: ValidationError,
      message: /xxxxxxxx-xxxx/,
    });
  });

  test(`[${kind}] show and disable take a code's id, never the code itself (it would travel in a URL)`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const { codes, ids } = await createCodes(db, scope, { count: 10, roles: ['User'] });
    for (const code of codes) {
      const shown = await t.throwsAsync(getCode(db, scope, code), { instanceOf: ValidationError });
      t.regex(
        shown.message,
        /^id: that is an invitation code, not a code's id; codes never go in a URL.*Give the code's id \(`codes list` shows it\)/,
      );
      t.false(shown.message.includes(code), 'the refusal does not repeat the code');
      await t.throwsAsync(disableCode(db, scope, code), {
        instanceOf: ValidationError,
        message: /not a code's id/,
      });
    }
    t.is((await listCodes(db, scope, { status: 'valid' })).total, 10, 'nothing was disabled');
    t.like(await getCode(db, scope, ids[3]!), { id: ids[3], status: 'valid' });
    t.like(await disableCode(db, scope, ids[3]!), { id: ids[3], status: 'disabled' });
    // Codes travel in bodies: copy finds them by value; an unknown one is named by its hint only.
    t.deepEqual(
      (await copyCodes(db, scope, { codes: [codes[0]] })).codes.map((c) => c.id),
      [ids[0]],
    );
    const unknown = '0601152c-6aa0-4f6d-5e85-464249405207';
    await t.throwsAsync(copyCodes(db, scope, { codes: [unknown] }), {
      message: 'invitation code "0601…" was not found',
    });
  });

  test(`[${kind}] a code is used once, within validity, by an active member; refusals say why`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const ada = await member(f, scope, 'ada');
    const t0 = new Date();
    const { codes, ids } = await createCodes(
      db,
      scope,
      { count: 3, roles: ['Publisher'], validityDays: 1 },
      t0,
    );
    const redeem = (code: unknown, at = t0, address = '10.0.0.1') =>
      redeemCode(db, scope.orgId, { memberId: ada.id, address, code, actor: ada.actor }, at);
    const result = await redeem(codes[0]);
    t.like(result, {
      member: 'ada.member',
      scopeType: 'organization',
      rolesGranted: ['Publisher'],
      administrator: false,
    });
    t.deepEqual(
      (await db('member_roles').where('member_id', ada.id)).map((r) => r.parameter),
      [null],
    );
    await t.throwsAsync(redeem(codes[0]), { instanceOf: ConflictError, message: /already used/ });
    await disableCode(db, scope, ids[1]!);
    await t.throwsAsync(redeem(codes[1]), { instanceOf: ConflictError, message: /disabled/ });
    await t.throwsAsync(redeem(codes[2], new Date(t0.getTime() + 2 * DAY)), {
      instanceOf: ConflictError,
      message: /expired/,
    });
    await t.throwsAsync(redeem('0601152C-6AA0-4F6D-5E85-464249405207'), {
      instanceOf: ValidationError,
      message: /xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/,
    });
    await t.throwsAsync(redeem('0601152c-6aa0-4f6d-5e85-464249405207'), {
      instanceOf: ValidationError,
      message: /not valid/,
    });
    t.is((await getCode(db, scope, ids[0]!)).usedBy, 'ada.member');
  });

  test(`[${kind}] 50 concurrent redemptions of one code: exactly one succeeds`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const members = [];
    for (let i = 0; i < 50; i += 1) members.push(await member(f, scope, `racer${i}`));
    const { codes } = await createCodes(db, scope, { roles: ['User'] });
    const outcomes = await Promise.allSettled(
      members.map((m, i) =>
        redeemCode(db, scope.orgId, {
          memberId: m.id,
          address: `10.1.0.${i}`,
          code: codes[0],
          actor: m.actor,
        }),
      ),
    );
    t.is(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes)
      if (o.status === 'rejected') t.true(o.reason instanceof ConflictError, String(o.reason));
    t.is(
      Number(
        (
          await db('member_roles')
            .join('members', 'members.id', 'member_roles.member_id')
            .where('members.org_id', scope.orgId)
            .count({ n: '*' })
        )[0]!.n,
      ),
      1,
    );
  });

  test(`[${kind}] an administrator code makes its user an administrator of that scope only`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    await db('groups').insert([
      { org_id: scope.orgId, name: 'Alpha' },
      { org_id: scope.orgId, name: 'Beta' },
    ]);
    const boss = await member(f, scope, 'boss');
    const { codes } = await createCodes(db, scope, { roles: ['Administrator'], scope: 'Alpha' });
    const other = await createCodes(db, scope, { roles: ['User'], scope: 'Beta' });
    await t.throwsAsync(createCodes(db, boss.scope, { roles: ['User'], scope: 'Alpha' }), {
      instanceOf: ForbiddenError,
    });
    t.like(
      await redeemCode(db, scope.orgId, {
        memberId: boss.id,
        address: 'a',
        code: codes[0],
        actor: boss.actor,
      }),
      { administrator: true, scope: 'Alpha' },
    );
    t.is((await db('memberships').where('member_id', boss.id)).length, 1);
    // Administrator of Alpha, not of the organization: the role is held within the group.
    t.is((await db('member_roles').where('member_id', boss.id)).length, 0);
    t.like(await memberAccess(db, scope.orgId, boss.id), {
      kind: 'scoped',
      via: 'scope-administrator',
    });
    const shown = await getMember(db, scope.orgId, boss.id);
    t.deepEqual(shown.additionalRoles, []);
    t.deepEqual(
      shown.groupRoles.map((g) => `${g.name} in ${g.group.name}`),
      ['Administrator in Alpha'],
    );
    const mine = await createCodes(db, boss.scope, { roles: ['User'], scope: 'Alpha' });
    t.is(mine.scope, 'Alpha');
    await t.throwsAsync(createCodes(db, boss.scope, { roles: ['User'], scope: 'Beta' }), {
      instanceOf: ForbiddenError,
      message: /Beta/,
    });
    await t.throwsAsync(createCodes(db, boss.scope, { roles: ['User'] }), {
      instanceOf: ForbiddenError,
    });
    const visible = await listCodes(db, boss.scope, {});
    t.true(visible.items.every((c) => c.scope === 'Alpha'));
    t.is(visible.total, 2);
    await t.throwsAsync(disableCode(db, boss.scope, other.ids[0]!), { message: /not found/ });
  });

  test(`[${kind}] a group's code grants its roles within that group, not in the organization`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    await db('groups').insert({ org_id: scope.orgId, name: 'Partners' });
    const pat = await member(f, scope, 'pat');
    const { codes } = await createCodes(db, scope, { roles: ['Publisher'], scope: 'Partners' });
    t.like(
      await redeemCode(db, scope.orgId, {
        memberId: pat.id,
        address: 'p',
        code: codes[0],
        actor: pat.actor,
      }),
      { rolesGranted: ['Publisher'], scope: 'Partners', administrator: false },
    );
    const shown = await getMember(db, scope.orgId, pat.id);
    t.deepEqual(shown.additionalRoles, []);
    t.deepEqual(
      shown.groupRoles.map((g) => `${g.name} in ${g.group.name}`),
      ['Publisher in Partners'],
    );
    t.deepEqual(
      shown.groups.map((g) => g.name),
      ['Partners'],
    );
  });

  test(`[${kind}] codes are checked when created: exclusive roles, the role parameter`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    for (const name of ['hoster', 'attractor'])
      await createRole(db, scope, {
        name,
        privileges: ['view'],
        parameterName: 'Vertex ID',
        exclusiveSet: 'partner',
      });
    await createRole(db, scope, { name: 'guest', privileges: ['view'], exclusiveSet: 'partner' });
    const refusals: Array<[object, string, RegExp]> = [
      [{ roles: ['hoster', 'guest'], roleParameter: 'v1' }, 'roles', /mutually exclusive/],
      [{ roles: ['hoster', 'attractor'], roleParameter: 'v1' }, 'roles', /separate codes/],
      [{ roles: ['hoster'] }, 'roleParameter', /hoster needs a Vertex ID/],
      [{ roles: ['User'], roleParameter: 'v1' }, 'roleParameter', /takes a parameter/],
    ];
    for (const [input, field, message] of refusals) {
      const error = await t.throwsAsync(createCodes(db, scope, input), {
        instanceOf: ValidationError,
      });
      t.true(
        error!.issues.some((i) => i.field === field && message.test(i.message)),
        error!.message,
      );
    }
    t.is((await listCodes(db, scope, {})).total, 0, 'a refused request writes nothing');
    const created = await createCodes(db, scope, {
      roles: ['User', 'hoster'],
      roleParameter: 'vertex-7',
    });
    t.is(created.roleParameter, 'vertex-7');
    t.is((await getCode(db, scope, created.ids[0]!)).roleParameter, 'vertex-7');
    const ada = await member(f, scope, 'ada');
    await redeemCode(db, scope.orgId, {
      memberId: ada.id,
      address: 'a',
      code: created.codes[0],
      actor: ada.actor,
    });
    const granted = (await getMember(db, scope.orgId, ada.id)).additionalRoles;
    t.deepEqual(granted.map((r) => `${r.name}=${r.parameter}`).sort(), [
      'User=null',
      'hoster=vertex-7',
    ]);
  });

  test(`[${kind}] failed redemptions are rate-limited per member and per address`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const eve = await member(f, scope, 'eve');
    const sam = await member(f, scope, 'sam');
    const { codes } = await createCodes(db, scope, { count: 2, roles: ['User'] });
    const now = new Date();
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      await t.throwsAsync(
        redeemCode(
          db,
          scope.orgId,
          {
            memberId: eve.id,
            address: `10.2.0.${i}`,
            code: '00000000-0000-0000-0000-000000000000',
            actor: eve.actor,
          },
          now,
        ),
      );
    }
    const limited = await t.throwsAsync(
      redeemCode(
        db,
        scope.orgId,
        { memberId: eve.id, address: '10.9.9.9', code: codes[0], actor: eve.actor },
        now,
      ),
      { instanceOf: RateLimitedError },
    );
    t.true(limited!.retryAfterSeconds > 0);
    t.like(
      await redeemCode(
        db,
        scope.orgId,
        { memberId: eve.id, address: '10.9.9.9', code: codes[0], actor: eve.actor },
        new Date(now.getTime() + 16 * 60_000),
      ),
      { member: 'eve.member' },
    );
    // One member's failures do not close the address to the others behind it (a proxy, a NAT)...
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      await t.throwsAsync(
        redeemCode(
          db,
          scope.orgId,
          { memberId: sam.id, address: '10.3.3.3', code: 'bad', actor: sam.actor },
          now,
        ).catch(() => {
          throw new Error('x');
        }),
      );
    }
    await t.throwsAsync(
      redeemCode(
        db,
        scope.orgId,
        { memberId: sam.id, address: '10.3.3.4', code: codes[1], actor: sam.actor },
        now,
      ),
      { instanceOf: RateLimitedError },
    );
    const ann = await member(f, scope, 'ann');
    const [other, last] = (await createCodes(db, scope, { count: 2, roles: ['User'] })).codes;
    t.like(
      await redeemCode(
        db,
        scope.orgId,
        { memberId: ann.id, address: '10.3.3.3', code: other, actor: ann.actor },
        now,
      ),
      { member: 'ann.member' },
    );
    // ...but many failures from one address, whoever the members, close it.
    const many = await Promise.all(
      Array.from({ length: MAX_ADDRESS_FAILURES / MAX_FAILURES }, (_, i) =>
        member(f, scope, `crowd${i}`),
      ),
    );
    for (const m of many)
      for (let i = 0; i < MAX_FAILURES; i += 1)
        await redeemCode(
          db,
          scope.orgId,
          { memberId: m.id, address: '10.4.4.4', code: 'bad', actor: m.actor },
          now,
        ).catch(() => undefined);
    await t.throwsAsync(
      redeemCode(
        db,
        scope.orgId,
        { memberId: ann.id, address: '10.4.4.4', code: last, actor: ann.actor },
        now,
      ),
      { instanceOf: RateLimitedError },
    );
  });
});
