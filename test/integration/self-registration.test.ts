import test from 'ava';
import { ValidationError } from '../../src/errors.ts';
import { createMember } from '../../src/members/member-service.ts';
import { registerBuiltinAccount } from '../../src/sign-in/self-registration.ts';
import { eachDatabase } from '../helpers/databases.ts';

// Usernames by the way the account is created, on PGlite and PostgreSQL: people who create their
// own account take letters, digits and underscores (the portal's CreateUsers rule); administrators
// keep the rule for the members they add.

const person = (username: string) => ({
  firstName: 'Ann',
  lastName: 'Ew',
  username,
  email: 'ann@example.org',
  password: 'Keystone-7713-p',
});

eachDatabase((kind, fixture) => {
  test(`[${kind}] self-registration takes letters, digits and underscores; an administrator may use dots and @`, async (t) => {
    const f = fixture();
    const scope = await f.newOrg();
    const db = f.database.knex;
    const count = async () =>
      Number((await db('members').where('org_id', scope.orgId).count({ n: '*' }))[0]!.n);
    for (const refused of ['ann.ew.self', 'ann@corp.example', 'ann-ew-self', 'ann_e']) {
      const error = await t.throwsAsync(
        registerBuiltinAccount(f.deps, scope.orgId, person(refused)),
        {
          instanceOf: ValidationError,
        },
      );
      t.is(error.issues[0]?.field, 'username', refused);
    }
    t.is(await count(), 0, 'nothing written');
    const member = await registerBuiltinAccount(f.deps, scope.orgId, person('Ann_Ew_2026'));
    t.like(member, { username: 'Ann_Ew_2026', source: 'builtin', mustChangePassword: false });
    const byAdmin = await createMember(f.deps, scope, {
      ...person('ann.ew@corp'),
      password: undefined,
    });
    t.is(byAdmin.username, 'ann.ew@corp');
  });
});
