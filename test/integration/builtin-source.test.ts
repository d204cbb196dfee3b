import test from 'ava';
import { builtinPlugin } from '../../plugins/builtin/index.ts';
import { findLocalAccount } from '../../src/members/local-accounts.ts';
import { createMember, setMemberStatus } from '../../src/members/member-service.ts';
import { updateMember } from '../../src/members/member-update.ts';
import { eachDatabase } from '../helpers/databases.ts';

eachDatabase((kind, fixture) => {
  test(`[${kind}] the builtin source checks passwords against the argon2id hash`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const log = { info() {}, warn() {} };
    const source = builtinPlugin.create(
      { name: 'builtin', type: 'builtin', allowSelfRegistration: false },
      {
        orgId: scope.orgId,
        log,
        findLocalAccount: (login) => findLocalAccount(f.database.knex, scope.orgId, login),
        urls: { login: '', callback: '' },
        resolveSecret: () => '',
        consumeOnce: async () => true,
        findLinkedMember: async () => null,
      },
    );
    const m = await createMember(f.deps, scope, {
      username: 'local.user',
      email: 'l@example.org',
      firstName: 'Lo',
      lastName: 'Cal',
      password: 'Meadow-8812-t',
    });
    t.deepEqual(await source.authenticate!('LOCAL.USER', 'Meadow-8812-t'), {
      ok: true,
      memberId: m.id,
      mustChangePassword: true,
    });
    t.deepEqual(await source.authenticate!('local.user', 'meadow-8812-t'), {
      ok: false,
      reason: 'wrong-password',
    });
    t.deepEqual(await source.authenticate!('nobody.here', 'Meadow-8812-t'), {
      ok: false,
      reason: 'unknown-login',
    });
    await updateMember(f.deps, scope, m.id, {
      password: 'Orchard-3307-w',
      mustChangePassword: false,
    });
    t.deepEqual(await source.authenticate!('local.user', 'Orchard-3307-w'), {
      ok: true,
      memberId: m.id,
      mustChangePassword: false,
    });
    await setMemberStatus(f.deps, scope, m.id, 'disabled');
    t.deepEqual(await source.authenticate!('local.user', 'Orchard-3307-w'), {
      ok: false,
      reason: 'disabled',
    });
    t.like(await source.test!(), { ok: true });
  });
});
