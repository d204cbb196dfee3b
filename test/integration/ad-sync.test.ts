import test from 'ava';
import type { Client } from 'ldapts';
import { ldapPlugin } from '../../plugins/ldap/index.ts';
import { guidText } from '../../plugins/ldap/entry-mapping.ts';
import { type LdapSourceConfig, ldapSourceSchema } from '../../plugins/ldap/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { addDirectoryGroup, provisionOne } from '../../src/sync/one-record.ts';
import { runSync, type SyncOptions } from '../../src/sync/run-sync.ts';
import { sourceContext } from '../../src/sources/source-context.ts';
import { eachDatabase } from '../helpers/databases.ts';
import {
  AD_ADMIN,
  AD_PASSWORD,
  DOMAIN_DN,
  type SambaAd,
  sambaAvailable,
  startSambaAd,
} from '../helpers/samba-ad.ts';
import { Attribute, Change } from 'ldapts';
import { sourceRegistry } from '../helpers/sources.ts';

// The sync engine against a real Samba AD DC: objectGUID ids, sAMAccountName@DOMAIN logins, the
// disabled bit, in-chain nested groups, uSNChanged increments that read changed groups and their
// ancestors, and sign-in by bind.

const available = sambaAvailable();
if (!available)
  console.warn(
    'SKIPPED: Samba AD is not available; the Active Directory tests did not run (CI sets PROVISIOND_REQUIRE_AD=1)',
  );

let ad: SambaAd | undefined;
let n = 0;
process.env.PROVISIOND_TEST_AD_PASSWORD = AD_PASSWORD;
test.before(async () => {
  if (available) ad = await startSambaAd();
});
test.after.always(async () => {
  await ad?.stop();
});

const log = createLogger('silent');
const FULL: SyncOptions = { mode: 'full', preview: false, trigger: 'cli' };
const ENABLED = '544'; // NORMAL_ACCOUNT | PASSWD_NOTREQD: enabled without a password
const DISABLED = '546';

async function subtree(client: Client) {
  n += 1;
  // sAMAccountName is unique in the whole domain: each test prefixes its own.
  const p = `t${n}${Math.random().toString(36).slice(2, 6)}`;
  const ou = `OU=${p},${DOMAIN_DN}`;
  await client.add(ou, { objectClass: 'organizationalUnit' });
  const user = (name: string, uac = ENABLED) =>
    client.add(`CN=${name},${ou}`, {
      objectClass: 'user',
      sAMAccountName: `${p}${name}`,
      givenName: name,
      sn: 'Tester',
      mail: `${name}@example.test`,
      userAccountControl: uac,
    });
  const group = (name: string, members: string[]) =>
    client.add(`CN=${name},${ou}`, {
      objectClass: 'group',
      sAMAccountName: `${p}${name}`,
      ...(members.length > 0 && { member: members.map((m) => `CN=${m},${ou}`) }),
    });
  const addMember = (groupName: string, member: string) =>
    client.modify(
      `CN=${groupName},${ou}`,
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'member', values: [`CN=${member},${ou}`] }),
      }),
    );
  const source = (): LdapSourceConfig =>
    ldapSourceSchema.parse({
      name: 'corp-ad',
      type: 'ldap',
      flavor: 'ad',
      url: ad!.url,
      bindDN: AD_ADMIN,
      bindCredentials: { env: 'PROVISIOND_TEST_AD_PASSWORD' },
      users: { baseDN: ou },
      groups: { baseDN: ou },
      deletionGuard: { percent: 50 },
    });
  const login = (name: string) => `${p}${name}@EXAMPLE`;
  return { ou, user, group, addMember, source, login };
}

eachDatabase((kind, fixture) => {
  // Skipped locally only when slapd/Samba is not installed (issue 4), with a message; CI sets
  // PROVISIOND_REQUIRE_LDAP=1 and PROVISIOND_REQUIRE_AD=1, which turn a missing server into a failure.
  const t2 = available ? test : test.skip;

  t2(
    `[${kind}] AD: full sync, disabled bit, nested groups; incremental reads changed and ancestor groups; deletion`,
    async (t) => {
      const db = fixture().database.knex;
      const scope = await fixture().newOrg();
      const client = await ad!.admin();
      const tree = await subtree(client);
      for (const u of ['u0', 'u1', 'u2', 'u3']) await tree.user(u);
      await tree.user('u4', DISABLED);
      await tree.group('inner', ['u1']);
      await tree.group('outer', ['u0', 'inner']);
      const sources = [tree.source()];
      const sync = async (options: SyncOptions) =>
        runSync(
          { db, sources: await sourceRegistry(db, log, sources), log },
          scope,
          'corp-ad',
          options,
        );
      const member = (username: string) =>
        db('members').where({ org_id: scope.orgId, username }).first();
      const groupMembers = async (name: string) =>
        (
          await db('memberships as ms')
            .join('groups as g', 'g.id', 'ms.group_id')
            .join('members as m', 'm.id', 'ms.member_id')
            .where({ 'g.org_id': scope.orgId, 'g.name': name })
            .orderBy('m.username')
            .select('m.username')
        ).map((r) => r.username as string);

      const first = await sync(FULL);
      t.is(first.status, 'succeeded', first.error ?? '');
      t.like(first.counts, { created: 5, groupsCreated: 2, errors: 0 });
      t.like(await member(tree.login('u0')), { status: 'active', email: 'u0@example.test' });
      t.is(
        (await member(tree.login('u4')))!.status,
        'disabled',
        'userAccountControl ACCOUNTDISABLE disables the member',
      );
      t.deepEqual(
        await groupMembers('outer'),
        [tree.login('u0'), tree.login('u1')],
        'nested members through the in-chain rule',
      );
      const { searchEntries } = await client.search(`CN=u0,${tree.ou}`, {
        scope: 'base',
        attributes: ['objectGUID'],
        explicitBufferAttributes: ['objectGUID'],
      });
      const link = (await db('identity_links')
        .where({ org_id: scope.orgId, login: tree.login('u0') })
        .first())!;
      t.is(link.external_id, guidText(searchEntries[0]!.objectGUID as Buffer));
      t.regex(link.external_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

      await client.modify(
        `CN=u2,${tree.ou}`,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'mail', values: ['moved@example.test'] }),
        }),
      );
      await tree.user('u5');
      await tree.addMember('inner', 'u2');
      const inc = await sync({ ...FULL, mode: 'incremental' });
      t.is(inc.mode, 'incremental');
      t.like(inc.counts, { created: 1, updated: 1, errors: 0 });
      t.is((await member(tree.login('u2')))!.email, 'moved@example.test');
      t.deepEqual(await groupMembers('inner'), [tree.login('u1'), tree.login('u2')]);
      t.deepEqual(
        await groupMembers('outer'),
        [tree.login('u0'), tree.login('u1'), tree.login('u2')],
        'a nested-group change reaches the groups containing it',
      );

      await client.del(`CN=u3,${tree.ou}`);
      const told = await sync({ ...FULL, mode: 'incremental' });
      t.like(
        told.counts,
        { disabled: 1 },
        'AD tells its deletions (tombstones): an incremental run sees them',
      );
      t.is((await member(tree.login('u3')))!.status, 'disabled');
      await client.del(`CN=u5,${tree.ou}`);
      const full = await sync(FULL);
      t.like(full.counts, { disabled: 1, unchanged: 4 });
      t.is((await member(tree.login('u5')))!.status, 'disabled');
      const again = await sync(FULL);
      t.like(again.counts, {
        created: 0,
        updated: 0,
        disabled: 0,
        membershipsAdded: 0,
        membershipsRemoved: 0,
        unchanged: 4,
      });
    },
  );

  t2(
    `[${kind}] AD: sign-in by bind with sAMAccountName@DOMAIN; injection attempts fail`,
    async (t) => {
      const db = fixture().database.knex;
      const scope = await fixture().newOrg();
      const client = await ad!.admin();
      const tree = await subtree(client);
      const sam = `ada${n}${Math.random().toString(36).slice(2, 6)}`;
      ad!.tool([
        'user',
        'add',
        sam,
        'Analytical-1843',
        '--given-name=Ada',
        '--surname=Lovelace',
        `--mail-address=${sam}@example.test`,
        `--userou=${tree.ou.replace(`,${DOMAIN_DN}`, '')}`,
      ]);
      const sources = [tree.source()];
      t.is(
        (
          await runSync(
            { db, sources: await sourceRegistry(db, log, sources), log },
            scope,
            'corp-ad',
            FULL,
          )
        ).counts.created,
        1,
      );
      const source = ldapPlugin.create(sources[0]!, sourceContext(db, scope.orgId, 'corp-ad', log));
      const signedIn = await source.authenticate!(`${sam}@EXAMPLE`, 'Analytical-1843');
      t.like(signedIn, { ok: true });
      t.like(await source.authenticate!(sam, 'Analytical-1843'), { ok: true });
      t.deepEqual(await source.authenticate!(`${sam}@EXAMPLE`, 'wrong'), {
        ok: false,
        reason: 'wrong-password',
      });
      t.deepEqual(await source.authenticate!('*)(sAMAccountName=*', 'Analytical-1843'), {
        ok: false,
        reason: 'unknown-login',
      });
      t.deepEqual(await source.authenticate!('*', 'Analytical-1843'), {
        ok: false,
        reason: 'unknown-login',
      });
    },
  );

  t2(
    `[${kind}] AD: profile attributes through the flavor's map; accountExpires disables at expiry`,
    async (t) => {
      const db = fixture().database.knex;
      const scope = await fixture().newOrg();
      const client = await ad!.admin();
      const tree = await subtree(client);
      for (const u of ['u0', 'u1', 'u2']) await tree.user(u);
      const set = (name: string, attribute: string, value: string) =>
        client.modify(
          `CN=${name},${tree.ou}`,
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: attribute, values: [value] }),
          }),
        );
      const ticks = (iso: string) =>
        (BigInt(Date.parse(iso)) * 10_000n + 116_444_736_000_000_000n).toString();
      await set('u0', 'accountExpires', '0');
      await set('u1', 'accountExpires', ticks('2020-01-01T00:00:00Z'));
      await set('u2', 'accountExpires', ticks('2099-01-01T00:00:00Z'));
      await set('u2', 'department', 'Research');
      await set('u2', 'employeeID', 'E-7');
      await set('u2', 'title', 'Engineer');
      const sync = async () =>
        runSync(
          { db, sources: await sourceRegistry(db, log, [tree.source()]), log },
          scope,
          'corp-ad',
          FULL,
        );
      const member = (name: string) =>
        db('members')
          .where({ org_id: scope.orgId, username: tree.login(name) })
          .first();
      const directory = async (name: string) => {
        const { profile } = (await member(name))!;
        return ((typeof profile === 'string' ? JSON.parse(profile) : profile).directory ??
          {}) as Record<string, string>;
      };

      const first = await sync();
      t.is(first.status, 'succeeded', first.error ?? '');
      t.is((await member('u0'))!.status, 'active', 'accountExpires 0 means never');
      t.is((await member('u1'))!.status, 'disabled', 'an expired account is disabled');
      t.is((await member('u2'))!.status, 'active');
      t.deepEqual(await directory('u2'), {
        department: 'Research',
        employeeNumber: 'E-7',
        title: 'Engineer',
        accountExpires: '2099-01-01T00:00:00.000Z',
      });

      const again = await sync();
      t.like(again.counts, { updated: 0, disabled: 0, unchanged: 3 });

      await set('u2', 'accountExpires', ticks('2021-06-01T00:00:00Z'));
      const expired = await sync();
      t.like(expired.counts, { disabled: 1, unchanged: 2 }, JSON.stringify(expired.counts));
      t.is((await member('u2'))!.status, 'disabled', 'disabled once its expiry has passed');
      t.is((await directory('u2')).accountExpires, '2021-06-01T00:00:00.000Z');
    },
  );

  t2(
    `[${kind}] AD: add one nested group's members on the spot; provision one user on demand`,
    async (t) => {
      const db = fixture().database.knex;
      const scope = await fixture().newOrg();
      const client = await ad!.admin();
      const tree = await subtree(client);
      for (const u of ['u0', 'u1', 'u2']) await tree.user(u);
      await tree.group('inner', ['u1']);
      await tree.group('outer', ['u0', 'inner']);
      const deps = { db, sources: await sourceRegistry(db, log, [tree.source()]), log };
      const added = await addDirectoryGroup(deps, scope, 'corp-ad', 'outer');
      t.like(added, { group: 'outer', counts: { created: 2 } });
      t.deepEqual(added.members.sort(), [tree.login('u0'), tree.login('u1')].sort());
      const inOuter = await db('memberships as ms')
        .join('groups as g', 'g.id', 'ms.group_id')
        .join('members as m', 'm.id', 'ms.member_id')
        .where({ 'g.org_id': scope.orgId, 'g.name': 'outer' })
        .orderBy('m.username')
        .select('m.username');
      t.deepEqual(
        inOuter.map((r) => r.username),
        [tree.login('u0'), tree.login('u1')],
        'nested members through the in-chain rule',
      );
      const report = await provisionOne(deps, scope, 'corp-ad', {
        login: tree.login('u2'),
        preview: true,
      });
      t.like(report, { inScope: true, situation: 'unmatched', action: 'created' });
      t.truthy(report.found.attributes.sAMAccountName);
      const onDemand = await provisionOne(deps, scope, 'corp-ad', {
        login: tree.login('u1'),
        preview: false,
      });
      t.like(onDemand, { situation: 'linked', action: 'unchanged' });
      t.deepEqual(onDemand.groups, { joined: ['inner'], left: [] });
      await t.throwsAsync(() => addDirectoryGroup(deps, scope, 'corp-ad', 'no-such-group'), {
        message: /in source "corp-ad"/,
      });
    },
  );
});
