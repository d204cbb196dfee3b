import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, formToken } from '../helpers/browser.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// Administrators over HTTP with their session, against the real daemon: an Administrator acts on
// /api/v1 (even what API keys cannot: keys, organization), a member without administrative
// access gets 403, every session write needs the CSRF token and the daemon's own origin (a
// refused write changes nothing), the HTML forms refuse a post without their token, the audit
// log names the member, and an administrator's idle session ends sooner than others.

const dir = tempDir('provisiond-admin-session-');
const config = path.join(dir, 'provisiond.yaml');
const env: Record<string, string> = {
  PROVISIOND_DATA_DIR: path.join(dir, 'data'),
  PROVISIOND_CONFIG: config,
};
let daemon: DaemonProcess;
let editor: string;
const PASSWORD = 'Harbour-5521-x';

function configure(adminIdleMinutes: number): void {
  writeFileSync(config, `signIn:\n  adminIdleMinutes: ${adminIdleMinutes}\n`);
}

async function createMember(username: string, role: string): Promise<void> {
  const created = await runCli(
    [
      'members',
      'create',
      '--username',
      username,
      '--email',
      `${username}@example.org`,
      '--name',
      'Sam Ple',
      '--role',
      role,
      '--password-stdin',
      '--no-temporary-password',
      '--json',
    ],
    env,
    PASSWORD,
  );
  if (created.code !== 0) throw new Error(created.stderr);
}

test.before(async () => {
  configure(30);
  daemon = await startDaemonProcess(env);
  editor = JSON.parse(
    (
      await runCli(
        [
          'keys',
          'create',
          '--title',
          'admin test',
          '--role',
          'editor',
          '--expires-in-days',
          '365',
          '--json',
        ],
        env,
      )
    ).stdout,
  ).secret;
  await createMember('ada.admin', 'Administrator');
  await createMember('val.viewer', 'Viewer');
});

test.after.always(async () => {
  await daemon?.stop();
});

/** A browser signed in through the JSON sign-in, with the CSRF token GET /api/v1/me gives it. */
async function signIn(username: string) {
  const browser = new Browser();
  const login = await browser.json('POST', `${daemon.url}/auth/builtin/login`, {
    username,
    password: PASSWORD,
  });
  if (login.status !== 200) throw new Error(login.text);
  const me = await browser.json('GET', `${daemon.url}/api/v1/me`);
  return { browser, login: login.body, me: me.body, status: me.status };
}

const write = (csrf: string, extra: Record<string, string> = {}) => ({
  'x-csrf-token': csrf,
  origin: daemon.url,
  'sec-fetch-site': 'same-origin',
  ...extra,
});

test.serial(
  'an Administrator session does what API keys cannot: keys, organization; the audit log names them',
  async (t) => {
    const { browser, login, me, status } = await signIn('ada.admin');
    t.is(status, 200);
    t.like(me, { actor: { type: 'member', label: 'ada.admin' }, access: 'administrator' });
    t.is(me.groups, null);
    t.is(me.session.idleMinutes, 30);
    t.is(me.csrfToken, login.csrfToken, 'the sign-in answer carries the same token');
    const openapi = (await api(daemon.url, 'GET', '/api/v1/openapi.json')).body;
    const typed = (path: string, method: string, status: number) =>
      openapi.paths[path][method].responses[status].content['application/json'].schema.properties;
    t.truthy(typed('/me', 'get', 200).csrfToken);
    t.truthy(typed('/overview', 'get', 200).membershipLimit);
    t.truthy(typed('/organization', 'patch', 200).newMemberDefaults);
    t.truthy(openapi.components.securitySchemes.session);

    const key = await browser.json(
      'POST',
      `${daemon.url}/api/v1/keys`,
      { title: 'made by ada', role: 'viewer', expiresInDays: 365 },
      write(me.csrfToken),
    );
    t.is(key.status, 201, key.text);
    t.is(key.body.createdBy, 'ada.admin');
    const org = await browser.json(
      'PATCH',
      `${daemon.url}/api/v1/organization`,
      { name: 'Ada Industries' },
      write(me.csrfToken),
    );
    t.is(org.status, 200, org.text);
    t.is(org.body.name, 'Ada Industries');
    const byKey = await api(daemon.url, 'PATCH', '/api/v1/organization', editor, { name: 'X' });
    t.is(byKey.status, 403, 'an API key still cannot change the organization');

    const audit = await browser.json(
      'GET',
      `${daemon.url}/api/v1/audit?action=organization.update&actorId=${me.actor.id}`,
    );
    t.is(audit.status, 200);
    t.is(audit.body.total, 1);
    t.like(audit.body.items[0], {
      actor: { type: 'member', id: me.actor.id, label: 'ada.admin' },
      action: 'organization.update',
    });
  },
);

test.serial(
  'a session write without the CSRF token, with a wrong one, or from another origin is refused and writes nothing',
  async (t) => {
    const { browser, me } = await signIn('ada.admin');
    const before = (await api(daemon.url, 'GET', '/api/v1/groups', editor)).body.total;
    const create = (headers: Record<string, string>) =>
      browser.json('POST', `${daemon.url}/api/v1/groups`, { name: 'Forged' }, headers);

    const missing = await create({});
    t.is(missing.status, 403);
    t.regex(missing.body.detail, /CSRF.*x-csrf-token/i);
    const wrong = await create(write('A'.repeat(43)));
    t.is(wrong.status, 403);
    t.regex(wrong.body.detail, /CSRF token is not valid/);
    const other = await signIn('ada.admin');
    t.is(
      (await create(write(other.me.csrfToken))).status,
      403,
      "another browser's token does not fit this browser's cookie",
    );
    const foreign = await create(write(me.csrfToken, { origin: 'https://evil.example' }));
    t.is(foreign.status, 403);
    t.regex(foreign.body.detail, /another origin \(https:\/\/evil\.example\)/);
    const crossSite = await create(write(me.csrfToken, { 'sec-fetch-site': 'cross-site' }));
    t.is(crossSite.status, 403);
    t.regex(crossSite.body.detail, /another site/);
    t.is((await api(daemon.url, 'GET', '/api/v1/groups', editor)).body.total, before);

    const made = await create(write(me.csrfToken));
    t.is(made.status, 201, made.text);
    t.is((await api(daemon.url, 'GET', '/api/v1/groups', editor)).body.total, before + 1);
  },
);

test.serial('a member without administrative access gets 403 with a clear message', async (t) => {
  const { browser, me, status } = await signIn('val.viewer');
  t.is(status, 200);
  t.like(me, { access: 'none', actor: { label: 'val.viewer' } });
  const members = await browser.json('GET', `${daemon.url}/api/v1/members`);
  t.is(members.status, 403);
  t.regex(members.body.detail, /val\.viewer is not an administrator of this organization/);
  const key = await browser.json(
    'POST',
    `${daemon.url}/api/v1/keys`,
    { title: 'no', role: 'viewer', expiresInDays: 365 },
    write(me.csrfToken),
  );
  t.is(key.status, 403);
  t.is((await new Browser().json('GET', `${daemon.url}/api/v1/members`)).status, 401);
});

test.serial('the HTML forms refuse a post without their CSRF token (login CSRF)', async (t) => {
  const attacker = new Browser();
  const forged = await attacker.post(`${daemon.url}/auth/builtin/login?lang=de`, {
    username: 'ada.admin',
    password: PASSWORD,
  });
  t.is(forged.status, 403);
  t.true(forged.text.includes('Dieses Formular ist abgelaufen'));
  t.false(
    forged.headers.getSetCookie().some((c) => c.startsWith('pvd_session=')),
    'no session opened',
  );

  const browser = new Browser();
  const form = await browser.get(`${daemon.url}/auth/sign-in`);
  const token = formToken(form.text);
  const crossOrigin = await browser.post(
    `${daemon.url}/auth/builtin/login`,
    { csrfToken: token, username: 'ada.admin', password: PASSWORD },
    { origin: 'https://evil.example' },
  );
  t.is(crossOrigin.status, 403);
  const stolen = await new Browser().post(`${daemon.url}/auth/builtin/login`, {
    csrfToken: token,
    username: 'ada.admin',
    password: PASSWORD,
  });
  t.is(stolen.status, 403, 'a token without the cookie it was made for is refused');
  const posted = await browser.post(`${daemon.url}/auth/builtin/login`, {
    csrfToken: token,
    username: 'ada.admin',
    password: PASSWORD,
  });
  t.is(posted.status, 303);
  const signedIn = await browser.get(`${daemon.url}/auth/sign-in`);
  t.true(signedIn.text.includes('ada.admin'));
  t.not(formToken(signedIn.text), token, 'signing in renews the token');
  const outWithOld = await browser.post(`${daemon.url}/auth/sign-out`, { csrfToken: token });
  t.is(outWithOld.status, 403);
  const out = await browser.post(`${daemon.url}/auth/sign-out`, {
    csrfToken: formToken(signedIn.text),
  });
  t.is(out.status, 303);
});

test.serial(
  'admin create prints a one-time setup link: the page sets the password and signs in, once',
  async (t) => {
    const created = await runCli(
      ['admin', 'create', '--username', 'first.admin', '--email', 'first@example.org', '--json'],
      env,
    );
    t.is(created.code, 0, created.stderr);
    const issued = JSON.parse(created.stdout);
    t.like(issued, { username: 'first.admin' });
    t.regex(issued.link, /\/auth\/setup\?token=pvd_setup_[A-Za-z0-9_-]{43}$/);
    t.false(daemon.output().includes(new URL(issued.link).searchParams.get('token')!));
    const link = issued.link.replace(/^https?:\/\/[^/]+/, daemon.url);

    const browser = new Browser();
    const form = await browser.get(link);
    t.is(form.status, 200);
    t.true(form.text.includes('first.admin'));
    const weak = await browser.post(`${daemon.url}/auth/setup`, {
      csrfToken: formToken(form.text),
      token: new URL(link).searchParams.get('token')!,
      password: 'first.admin',
    });
    t.is(weak.status, 400, 'a weak password is refused and the link stays usable');
    t.true(weak.text.includes('role="alert"'));
    const done = await browser.post(`${daemon.url}/auth/setup`, {
      csrfToken: formToken(weak.text),
      token: new URL(link).searchParams.get('token')!,
      password: 'Keystone-7713-p',
    });
    t.is(done.status, 303);
    const me = await browser.json('GET', `${daemon.url}/api/v1/me`);
    t.like(me.body, { access: 'administrator', actor: { label: 'first.admin' } });
    t.is((await new Browser().get(link)).status, 404, 'the link is spent');
    const login = await new Browser().json('POST', `${daemon.url}/auth/builtin/login`, {
      username: 'first.admin',
      password: 'Keystone-7713-p',
    });
    t.is(login.status, 200);

    const temporary = await runCli(
      [
        'admin',
        'create',
        '--username',
        'second.admin',
        '--email',
        'second@example.org',
        '--temporary-password',
        '--json',
      ],
      env,
    );
    t.is(temporary.code, 0, temporary.stderr);
    const { temporaryPassword } = JSON.parse(temporary.stdout);
    const second = await new Browser().json('POST', `${daemon.url}/auth/builtin/login`, {
      username: 'second.admin',
      password: temporaryPassword,
    });
    t.like(second.body, { signedIn: true, mustChangePassword: true });
    const bad = await runCli(['admin', 'create', '--username', 'x', '--email', 'bad'], env);
    t.is(bad.code, 1);
    t.regex(bad.stderr, /username: must be 6 to 128 characters/);
    t.regex(bad.stderr, /email: must look like name@domain/);
  },
);

test.serial(
  'organization settings and new-member defaults round trip; bad values name the field and change nothing; the overview counts',
  async (t) => {
    const { browser, me } = await signIn('ada.admin');
    const patch = (body: unknown) =>
      browser.json('PATCH', `${daemon.url}/api/v1/organization`, body, write(me.csrfToken));
    t.is(
      (
        await browser.json(
          'POST',
          `${daemon.url}/api/v1/groups`,
          { name: 'Staff' },
          write(me.csrfToken),
        )
      ).status,
      201,
    );
    for (const name of ['gis-pro', 'extra'])
      t.is(
        (
          await browser.json(
            'POST',
            `${daemon.url}/api/v1/licenses`,
            { name, userTypes: ['Contributor', 'Creator'] },
            write(me.csrfToken),
          )
        ).status,
        201,
      );
    const before = (await browser.json('GET', `${daemon.url}/api/v1/organization`)).body;

    const misfit = await patch({
      name: 'Renamed',
      newMemberDefaults: { userType: 'Viewer', role: 'Administrator', groups: ['Nope'] },
    });
    t.is(misfit.status, 400);
    t.deepEqual(misfit.body.issues.map((i: { field: string }) => i.field).sort(), [
      'newMemberDefaults.groups',
      'newMemberDefaults.role',
    ]);
    t.regex(misfit.body.detail, /role Administrator is not compatible with user type Viewer/);
    const limit = await patch({ membershipLimit: -1, invitationExpiryDays: 0 });
    t.is(limit.status, 400);
    t.deepEqual(limit.body.issues.map((i: { field: string }) => i.field).sort(), [
      'invitationExpiryDays',
      'membershipLimit',
    ]);
    t.deepEqual((await browser.json('GET', `${daemon.url}/api/v1/organization`)).body, before);

    const saved = await patch({
      membershipLimit: 500,
      invitationExpiryDays: 30,
      allowAdminInvitations: true,
      newMemberDefaults: {
        userType: 'contributorUT',
        role: 'data editor',
        groups: ['staff'],
        licenses: ['gis-pro'],
        categories: ['field'],
        credits: 10,
        settings: { theme: 'dark' },
      },
    });
    t.is(saved.status, 200, saved.text);
    t.like(saved.body, {
      membershipLimit: 500,
      invitationExpiryDays: 30,
      allowAdminInvitations: true,
      newMemberDefaults: {
        userType: 'Contributor',
        role: 'Data Editor',
        groups: ['Staff'],
        licenses: ['gis-pro'],
        categories: ['field'],
        credits: 10,
        settings: { theme: 'dark' },
      },
    });
    const member = await api(daemon.url, 'POST', '/api/v1/members', editor, {
      username: 'def.aults',
      email: 'defaults@example.org',
      displayName: 'Def Aults',
    });
    t.is(member.status, 201, JSON.stringify(member.body));
    t.like(member.body, {
      userType: { name: 'Contributor' },
      role: { name: 'Data Editor' },
      licenses: ['gis-pro'],
      categories: ['field'],
      credits: 10,
    });
    t.deepEqual(
      member.body.groups.map((g: { name: string }) => g.name),
      ['Staff'],
    );

    const cli = await runCli(
      ['orgs', 'update', '--default-role', '', '--default-license', 'gis-pro,extra', '--json'],
      env,
    );
    t.is(cli.code, 0, cli.stderr);
    const updated = JSON.parse(cli.stdout);
    t.is(
      updated.newMemberDefaults.role,
      undefined,
      'an empty value puts the built-in default back',
    );
    t.deepEqual(updated.newMemberDefaults.licenses, ['gis-pro', 'extra']);
    t.is(updated.newMemberDefaults.userType, 'Contributor');
    const bad = await runCli(['orgs', 'update', '--default-user-type', 'Astronaut'], env);
    t.is(bad.code, 1);
    t.regex(bad.stderr, /newMemberDefaults\.userType: no user type "Astronaut"/);

    const overview = await browser.json('GET', `${daemon.url}/api/v1/overview`);
    t.is(overview.status, 200);
    const members = (await api(daemon.url, 'GET', '/api/v1/members?pageSize=1', editor)).body.total;
    t.is(overview.body.members.total, members);
    t.is(
      overview.body.members.byStatus.active +
        overview.body.members.byStatus.pending +
        overview.body.members.byStatus.disabled,
      members,
    );
    t.deepEqual(overview.body.licenses, [{ license: 'gis-pro', count: 1 }]);
    t.like(overview.body.membershipLimit, { limit: 500, used: members, available: 500 - members });
    t.true(
      overview.body.members.byUserType.some(
        (u: { userType: string; count: number }) => u.userType === 'Contributor' && u.count === 1,
      ),
    );
    t.deepEqual(
      overview.body.sources.map((s: { name: string }) => s.name),
      ['builtin'],
    );
  },
);

test.serial(
  'a scope administrator and a manage_members holder act on their groups only; the audit names them',
  async (t) => {
    const admin = await signIn('ada.admin');
    const asAdmin = (method: string, urlPath: string, body?: unknown) =>
      admin.browser.json(method, `${daemon.url}/api/v1${urlPath}`, body, write(admin.me.csrfToken));
    for (const name of ['North', 'South'])
      t.is((await asAdmin('POST', '/groups', { name })).status, 201);
    const role = await asAdmin('POST', '/roles', {
      name: 'IAM',
      privileges: ['view', 'manage_members'],
    });
    t.is(role.status, 201, role.text);
    for (const [username, group, roleName] of [
      ['north.one', 'North', 'User'],
      ['south.one', 'South', 'User'],
      ['scope.boss', null, 'User'],
      ['iam.person', 'South', 'IAM'],
    ] as const) {
      const made = await asAdmin('POST', '/members', {
        username,
        email: `${username}@example.org`,
        displayName: 'Sam Ple',
        role: roleName,
        userType: 'Creator',
        password: PASSWORD,
        mustChangePassword: false,
        ...(group && { groups: [group] }),
      });
      t.is(made.status, 201, made.text);
    }
    const code = await asAdmin('POST', '/codes', { roles: ['Administrator'], scope: 'North' });
    t.is(code.status, 201, code.text);

    const boss = await signIn('scope.boss');
    t.is(boss.me.access, 'none');
    const redeemed = await boss.browser.json(
      'POST',
      `${daemon.url}/auth/codes/redeem`,
      { code: code.body.codes[0] },
      write(boss.me.csrfToken),
    );
    t.is(redeemed.status, 200, redeemed.text);
    const me = (await boss.browser.json('GET', `${daemon.url}/api/v1/me`)).body;
    t.like(me, { access: 'scope-administrator' });
    t.deepEqual(
      me.groups.map((g: { name: string }) => g.name),
      ['North'],
    );
    const asBoss = (method: string, urlPath: string, body?: unknown) =>
      boss.browser.json(method, `${daemon.url}/api/v1${urlPath}`, body, write(me.csrfToken));
    const listed = await asBoss('GET', '/members?pageSize=100');
    t.is(listed.status, 200);
    t.deepEqual(listed.body.items.map((m: { username: string }) => m.username).sort(), [
      'north.one',
      'scope.boss',
    ]);
    t.is(listed.body.total, 2);
    t.is((await asBoss('GET', '/members/north.one')).status, 200);
    t.is((await asBoss('GET', '/members/south.one')).status, 404, 'out of reach looks absent');
    t.is((await asBoss('POST', '/members/south.one/disable')).status, 404);
    const keys = await asBoss('GET', '/keys');
    t.is(keys.status, 403);
    t.regex(keys.body.detail, /administers some groups only/);
    t.is((await asBoss('PATCH', '/organization', { name: 'Mine' })).status, 403);
    const south = await asBoss('POST', '/invitations', {
      email: 'new.south@example.org',
      role: 'User',
      groups: ['South'],
    });
    t.is(south.status, 403);
    const noGroup = await asBoss('POST', '/invitations', {
      email: 'new.none@example.org',
      role: 'User',
    });
    t.is(noGroup.status, 403);
    const north = await asBoss('POST', '/invitations', {
      email: 'new.north@example.org',
      role: 'User',
      groups: ['North'],
    });
    t.is(north.status, 201, north.text);
    const outside = await asAdmin('POST', '/invitations', {
      email: 'new.elsewhere@example.org',
      role: 'User',
      groups: ['South'],
    });
    t.is(outside.status, 201, outside.text);
    const invitations = await asBoss('GET', '/invitations');
    t.deepEqual(
      invitations.body.items.map((i: { email: string }) => i.email),
      ['new.north@example.org'],
    );
    t.is(
      (await asBoss('DELETE', `/invitations/${outside.body.items[0].id}`)).status,
      404,
      "another group's invitation is out of reach",
    );
    const audit = await asAdmin('GET', `/audit?action=invitation.create&actorId=${me.actor.id}`);
    t.is(audit.body.total, 1);
    t.like(audit.body.items[0].actor, { type: 'member', label: 'scope.boss' });

    const iam = await signIn('iam.person');
    t.like(iam.me, { access: 'member-manager' });
    t.deepEqual(
      iam.me.groups.map((g: { name: string }) => g.name),
      ['South'],
    );
    const asIam = (method: string, urlPath: string, body?: unknown) =>
      iam.browser.json(method, `${daemon.url}/api/v1${urlPath}`, body, write(iam.me.csrfToken));
    const theirs = await asIam('GET', '/members?pageSize=100&status=active');
    t.deepEqual(theirs.body.items.map((m: { username: string }) => m.username).sort(), [
      'iam.person',
      'south.one',
    ]);
    const promote = await asIam('PATCH', '/members/south.one', { role: 'Administrator' });
    t.is(promote.status, 403);
    t.regex(promote.body.detail, /Administrator role \(an administrator role\) is reserved/);
    const publisher = await asIam('PATCH', '/members/south.one', { role: 'Publisher' });
    t.is(publisher.status, 200, publisher.text);
    t.is((await asIam('GET', '/members/north.one')).status, 404);
    t.is((await asIam('POST', '/codes', { roles: ['User'], scope: 'South' })).status, 403);
    const byKey = await api(daemon.url, 'PATCH', '/api/v1/members/south.one', editor, {
      role: 'Administrator',
    });
    t.is(byKey.status, 403, 'an Editor key cannot make an administrator either');
  },
);

test.serial(
  "an administrator's session ends after the idle time; a member's does not",
  async (t) => {
    t.is(await daemon.stop(), 0);
    configure(0.1);
    daemon = await startDaemonProcess(env);
    const member = await signIn('val.viewer');
    const admin = await signIn('ada.admin');
    t.is(admin.me.session.idleMinutes, 0.1);
    t.is(member.me.session.idleMinutes, null);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Used within the idle time (6 s), the session stays, past 6 s after the sign-in. Each pause
    // is longer than a quarter of the idle time, after which a request records the session's use.
    await pause(3_200);
    t.is((await admin.browser.json('GET', `${daemon.url}/api/v1/members`)).status, 200);
    await pause(4_000);
    t.is((await admin.browser.json('GET', `${daemon.url}/api/v1/members`)).status, 200);
    await pause(7_000);
    const expired = await admin.browser.json('GET', `${daemon.url}/api/v1/members`);
    t.is(expired.status, 401);
    t.false(
      JSON.parse((await admin.browser.get(`${daemon.url}/auth/session`)).text).signedIn,
      'the session is over everywhere',
    );
    t.true(JSON.parse((await member.browser.get(`${daemon.url}/auth/session`)).text).signedIn);
  },
);
