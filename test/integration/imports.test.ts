import { readFileSync } from 'node:fs';
import test from 'ava';
import { openedMailData } from '../../src/mail/outbox.ts';
import type { Scope } from '../../src/access/actor.ts';
import { LimitError, ValidationError } from '../../src/errors.ts';
import { createGroup, deleteGroup } from '../../src/groups/groups.ts';
import {
  type ImportDeps,
  type UploadOptions,
  uploadImport,
} from '../../src/import/import-service.ts';
import { getImport, startApply } from '../../src/import/import-apply-run.ts';
import { createLicense } from '../../src/licenses/license-service.ts';
import { createMember } from '../../src/members/member-service.ts';
import { updateOrganization } from '../../src/org-settings/organization-settings.ts';
import { eachDatabase, type Fixture } from '../helpers/databases.ts';

const fixture = (name: string) => readFileSync(`test/fixtures/import/${name}`);

async function* bytes(content: Buffer | string): AsyncGenerator<Uint8Array> {
  const buffer = typeof content === 'string' ? Buffer.from(content) : content;
  // Small chunks, so that multi-byte characters and lines are split across them.
  for (let i = 0; i < buffer.length; i += 7) yield buffer.subarray(i, i + 7);
}

async function counts(f: Fixture, scope: Scope): Promise<{ members: number; audit: number }> {
  const [m] = await f.database.knex('members').where('org_id', scope.orgId).count({ n: '*' });
  const [a] = await f.database.knex('audit_log').where('org_id', scope.orgId).count({ n: '*' });
  return { members: Number(m?.n), audit: Number(a?.n) };
}

/** The org-id modes link identities to the configured source of their type, by its name. */
const IDENTITY_SOURCES = [
  { name: 'corp-saml', type: 'saml' },
  { name: 'corp-oidc', type: 'oidc' },
];

eachDatabase((kind, get) => {
  const deps = (): ImportDeps => ({
    db: get().database.knex,
    hasher: get().deps.hasher,
    links: get().deps.links,
    publicUrl: 'https://provisiond.example.org',
    sources: () => IDENTITY_SOURCES,
  });
  const upload = (scope: Scope, options: UploadOptions, content: Buffer | string) =>
    uploadImport(deps(), scope, options, bytes(content));
  const apply = async (scope: Scope, id: string, skipInvalid = false) =>
    (await startApply(deps(), scope, id, { skipInvalid })).done;
  const members = async (scope: Scope) =>
    get()
      .database.knex('members as m')
      .join('roles as r', 'r.id', 'm.role_id')
      .join('user_types as u', 'u.id', 'm.user_type_id')
      .where('m.org_id', scope.orgId)
      .orderBy('m.username')
      .select(
        'm.username',
        'm.email',
        'm.first_name',
        'm.last_name',
        'm.description',
        'm.source',
        'r.name as role',
        'u.name as userType',
        'm.must_change_password',
        'm.password_hash',
      );

  test(`${kind}: ArcGIS Online "add without invitations": validated, nothing written, then applied with hashed temporary passwords`, async (t) => {
    const scope = await get().newOrg();
    const before = await counts(get(), scope);
    const run = await upload(scope, { mode: 'add' }, fixture('add.csv'));
    t.like(run.report, { rows: 2, valid: 2, invalid: 0, toCreate: 2, separator: ',' });
    t.deepEqual(
      await counts(get(), scope),
      before,
      'validation writes no member and no audit entry',
    );
    const applied = await apply(scope, run.id);
    t.like(applied, { status: 'applied', created: 2, alreadyPresent: 0 });
    const rows = await members(scope);
    t.like(rows[0], {
      username: 'jcho11',
      first_name: 'Jon',
      last_name: 'Cho',
      role: 'Publisher',
      userType: 'Creator',
      must_change_password: true,
    });
    t.regex(String(rows[0].password_hash), /^\$argon2id\$/);
    t.like(rows[1], { username: 'srajhandas', role: 'Data Editor', userType: 'Contributor' });
  });

  test(`${kind}: importing the same file twice creates nothing the second time and says so`, async (t) => {
    const scope = await get().newOrg();
    const first = await upload(
      scope,
      { format: 'createusers', idp: 'enterprise' },
      fixture('createusers-enterprise.txt'),
    );
    t.like(await apply(scope, first.id), { created: 5 });
    const after = await counts(get(), scope);
    const second = await upload(
      scope,
      { format: 'createusers' },
      fixture('createusers-enterprise.txt'),
    );
    t.like(second.report, { valid: 5, alreadyPresent: 5, toCreate: 0 });
    t.like(second.previousApply, { id: first.id, created: 5 });
    t.like(await apply(scope, second.id), { status: 'applied', created: 0, alreadyPresent: 5 });
    t.is((await counts(get(), scope)).members, after.members);
    t.like(
      await apply(scope, first.id),
      { status: 'applied', created: 5 },
      'an applied run is not applied again',
    );
  });

  test(`${kind}: a member created between validation and apply keeps its record, with or without a membership limit`, async (t) => {
    for (const membershipLimit of [null, 10]) {
      const scope = await get().newOrg();
      if (membershipLimit !== null)
        await updateOrganization(get().database.knex, scope, { membershipLimit });
      const run = await upload(scope, { mode: 'add' }, fixture('add.csv'));
      t.like(run.report, { toCreate: 2, alreadyPresent: 0 });
      await createMember(get().deps, scope, {
        username: 'JCHO11',
        email: 'other@example.org',
        firstName: 'Other',
        lastName: 'Person',
      });
      const before = await counts(get(), scope);
      t.like(
        await apply(scope, run.id),
        { status: 'applied', created: 1, alreadyPresent: 1 },
        `membership limit ${membershipLimit}`,
      );
      t.deepEqual(
        (await members(scope)).map((m) => [m.username, m.first_name, m.password_hash === null]),
        [
          ['JCHO11', 'Other', true],
          ['srajhandas', 'Satish', false],
        ],
      );
      t.deepEqual(
        await counts(get(), scope),
        { members: before.members + 1, audit: before.audit + 2 },
        "one member and its audit entry, and the apply's own entry",
      );
    }
  });

  test(`${kind}: CreateUsers enterprise examples of Portal for ArcGIS import as the text describes`, async (t) => {
    const scope = await get().newOrg();
    const run = await upload(
      scope,
      { format: 'createusers' },
      fixture('createusers-enterprise.txt'),
    );
    await apply(scope, run.id);
    const rows = Object.fromEntries((await members(scope)).map((r) => [r.username, r]));
    t.like(rows['jcho111@DOMAIN'], {
      email: 'jcho@domain.com',
      first_name: 'Jon',
      last_name: 'Cho',
      role: 'User',
      userType: 'Creator',
      description: 'department b',
      source: 'enterprise',
    });
    t.like(rows['rsmith@domain.com'], {
      role: 'Publisher',
      userType: 'Professional',
      description: '',
    });
    t.like(rows['sjames4513@DOMAIN'], {
      role: 'Viewer',
      userType: 'Viewer',
      description: 'Department Lead and GIS Manager',
    });
    t.like(rows['srajhandas@DOMAIN'], { role: 'User', userType: 'Contributor' });
    t.like(rows['djohnson308@DOMAIN'], {
      role: 'User',
      userType: 'Professional',
      description: 'Account Specialist',
    });
    const link = await get()
      .database.knex('identity_links as l')
      .join('members as m', 'm.id', 'l.member_id')
      .where('m.username', 'djohnson308@DOMAIN')
      .first('l.external_id');
    t.is(
      link?.external_id,
      'djohnson@domain.com',
      'the Idp UserName is the link to the identity provider',
    );
  });

  test(`${kind}: CreateUsers builtin examples of Portal for ArcGIS (short accounts, admin role, names given)`, async (t) => {
    const scope = await get().newOrg();
    const run = await upload(
      scope,
      { format: 'createusers', idp: 'builtin' },
      fixture('createusers-builtin.txt'),
    );
    t.like(run.report, { valid: 2, invalid: 0 });
    await apply(scope, run.id);
    const [jcho, pub1] = await members(scope);
    t.like(pub1, {
      username: 'pub1',
      first_name: 'Barbara',
      last_name: 'Williams',
      role: 'Publisher',
      userType: 'Professional Plus',
      source: 'builtin',
    });
    t.like(jcho, {
      username: 'jcho',
      first_name: 'Jon',
      last_name: 'Cho',
      role: 'Administrator',
      userType: 'Creator',
      description: 'GIS Manager',
    });
  });

  test(`${kind}: every CSV format of ArcGIS Online and Portal for ArcGIS validates as its mode says`, async (t) => {
    const scope = await get().newOrg();
    const expect = async (
      mode: UploadOptions['mode'],
      file: string,
      valid: number,
      invalidLines: number[],
      extra: UploadOptions = {},
    ) => {
      const run = await upload(scope, { mode, ...extra }, fixture(file));
      t.is(run.report.valid, valid, `${file}: ${JSON.stringify(run.report.issues)}`);
      t.deepEqual(
        run.report.issues.filter((i) => i.severity === 'error').map((i) => i.line),
        invalidLines,
        file,
      );
      return run;
    };
    // ArcGIS Online's guide shows the second row of this format without its Identity type: it is refused, named.
    await expect('add-org-ids', 'add-org-ids.csv', 1, [3]);
    await expect('add-org-ids', 'add-saml-ids.csv', 2, []);
    await expect('add-org-ids', 'add-oidc-ids.csv', 2, []);
    await expect('add-notify', 'add-notify.csv', 2, []);
    await expect('invite-any', 'invite.csv', 2, []);
    await expect('invite-org-logins', 'invite.csv', 2, []);
    await expect('portal-builtin', 'portal-builtin.csv', 2, []);
    await expect('portal-enterprise', 'portal-enterprise-saml.csv', 2, []);
    // Portal for ArcGIS's enterprise example gives Publisher to an Editor (Contributor) user type: the report says why.
    const enterprise = await expect('portal-enterprise', 'portal-enterprise-ad.csv', 1, [2], {
      defaultEmail: 'admin@example.org',
    });
    t.regex(
      enterprise.report.issues[0]!.message,
      /not compatible with user type Contributor; compatible roles: Data Editor, User, Viewer/,
    );
    const applied = await apply(scope, enterprise.id, true);
    t.like(applied, { created: 1 });
    t.like(
      (await members(scope)).find((m) => m.username === 'srajhandas@DOMAIN'),
      { email: 'admin@example.org', first_name: 'srajhandas', source: 'enterprise' },
    );
    const saml = await upload(scope, { mode: 'add-org-ids' }, fixture('add-saml-ids.csv'));
    await apply(scope, saml.id);
    const link = await get()
      .database.knex('identity_links')
      .where({ org_id: scope.orgId, source: 'corp-saml', external_id: 'jonc1111' })
      .first('login');
    t.is(link?.login, 'jonc1111');
  });

  test(`${kind}: SAML and OpenID Connect IDs are linked to the source that holds them, by its name`, async (t) => {
    const scope = await get().newOrg();
    const withSources = (sources: typeof IDENTITY_SOURCES) => ({
      ...deps(),
      sources: () => sources,
    });
    const oidc = fixture('add-oidc-ids.csv');
    // No OpenID Connect source: nothing could sign these members in, so the rows are refused.
    const none = await uploadImport(
      withSources([{ name: 'corp-saml', type: 'saml' }]),
      scope,
      { mode: 'add-org-ids' },
      bytes(oidc),
    );
    t.is(none.report.valid, 0);
    t.regex(none.report.issues[0]!.message, /needs a OpenID Connect source/);
    t.is(none.report.issues[0]!.field, 'OpenID Connect ID');
    // Two of them: the file must say which one.
    const two = [...IDENTITY_SOURCES, { name: 'partner-oidc', type: 'oidc' }];
    const ambiguous = await uploadImport(
      withSources(two),
      scope,
      { mode: 'add-org-ids' },
      bytes(oidc),
    );
    t.regex(ambiguous.report.issues[0]!.message, /corp-oidc, partner-oidc: choose one/);
    const err = await t.throwsAsync(
      uploadImport(withSources(two), scope, { mode: 'add-org-ids', source: 'nope' }, bytes(oidc)),
      { instanceOf: ValidationError },
    );
    t.regex(err.message + JSON.stringify(err), /source/);
    await t.throwsAsync(
      uploadImport(withSources(two), scope, { mode: 'add', source: 'corp-oidc' }, bytes(oidc)),
      { instanceOf: ValidationError },
    );
    const chosen = await uploadImport(
      withSources(two),
      scope,
      { mode: 'add-org-ids', source: 'partner-oidc' },
      bytes(oidc),
    );
    t.is(chosen.report.valid, 2, JSON.stringify(chosen.report.issues));
    await (await startApply(withSources(two), scope, chosen.id, {})).done;
    const links = await get()
      .database.knex('identity_links as l')
      .join('members as m', 'm.id', 'l.member_id')
      .where('l.org_id', scope.orgId)
      .orderBy('l.external_id')
      .select('l.source', 'l.external_id', 'm.source as memberSource');
    t.deepEqual(links, [
      { source: 'partner-oidc', external_id: 'jonc1111', memberSource: 'partner-oidc' },
      { source: 'partner-oidc', external_id: 'sati3554', memberSource: 'partner-oidc' },
    ]);
  });

  const invitations = (scope: Scope) =>
    get()
      .database.knex('invitations as i')
      .join('members as m', 'm.id', 'i.member_id')
      .join('roles as r', 'r.id', 'i.role_id')
      .where('i.org_id', scope.orgId)
      .orderBy('i.email')
      .select(
        'i.email',
        'i.mode',
        'i.status',
        'i.language',
        'r.name as role',
        'm.status as memberStatus',
        'm.username',
        'm.username_locked as locked',
      );
  // The stored link is sealed: the rows hold none in clear, and open under the link key.
  const outbox = async (scope: Scope) =>
    (
      await get()
        .database.knex('mail_outbox')
        .where('org_id', scope.orgId)
        .orderBy('recipient')
        .select('recipient', 'template', 'language', 'data')
    ).map((row) => {
      if (row.data?.link) throw new Error('a link is stored in clear in the outbox');
      return { ...row, data: openedMailData(row.data!, get().deps.links) };
    });

  test(`${kind}: the invite modes issue invitations with pending members and mail, once`, async (t) => {
    const scope = await get().newOrg();
    const run = await upload(
      scope,
      { mode: 'invite-any', language: 'fr', message: 'Bienvenue' },
      fixture('invite.csv'),
    );
    t.like(await getImport(get().database.knex, scope.orgId, run.id), {
      status: 'validated',
      options: { language: 'fr', message: 'Bienvenue' },
    });
    t.deepEqual(await invitations(scope), [], 'validation invites nobody');
    t.like(await apply(scope, run.id), { status: 'applied', created: 2, alreadyPresent: 0 });
    const invited = await invitations(scope);
    t.like(invited, [
      {
        email: 'jcho@email.com',
        mode: 'any-account',
        status: 'pending',
        language: 'fr',
        role: 'Publisher',
        memberStatus: 'pending',
        locked: false,
      },
      {
        email: 'srajhandas@email.com',
        mode: 'any-account',
        status: 'pending',
        language: 'fr',
        role: 'Data Editor',
        memberStatus: 'pending',
        locked: false,
      },
    ]);
    t.regex(invited[0].username, /^pending\./, 'the invitee chooses a username at acceptance');
    const mails = await outbox(scope);
    t.is(mails.length, 2);
    t.like(mails[0], { recipient: 'jcho@email.com', template: 'invitation', language: 'fr' });
    t.like(mails[0]!.data, { role: 'Publisher', message: 'Bienvenue', username: null });
    t.regex(
      mails[0]!.data!.link!,
      /^https:\/\/provisiond\.example\.org\/invitations\/accept\?token=inv_[A-Za-z0-9_-]{43}&lang=fr$/,
    );
    t.not(mails[0]!.data!.link, mails[1]!.data!.link);
    const audit = await get()
      .database.knex('audit_log')
      .where({ org_id: scope.orgId, action: 'invitation.create' })
      .select('after');
    t.is(audit.length, 2);
    t.false(JSON.stringify(audit).includes('inv_'), 'the audit log never holds a link');

    const again = await upload(scope, { mode: 'invite-any' }, fixture('invite.csv'));
    t.like(again.report, { alreadyPresent: 2, toCreate: 0 });
    t.like(await apply(scope, again.id), { status: 'applied', created: 0 });
    t.is((await invitations(scope)).length, 2, 're-importing invites nobody twice');
    t.is((await outbox(scope)).length, 2);
  });

  test(`${kind}: "add and notify" pre-creates locked usernames; organization logins invite in their mode`, async (t) => {
    const scope = await get().newOrg();
    await apply(scope, (await upload(scope, { mode: 'add-notify' }, fixture('add-notify.csv'))).id);
    t.like(await invitations(scope), [
      {
        email: 'jcho@email.com',
        mode: 'add-and-notify',
        username: 'jcho11',
        locked: true,
        memberStatus: 'pending',
        role: 'Publisher',
      },
      {
        email: 'srajhandas@email.com',
        mode: 'add-and-notify',
        username: 'srajhandas',
        locked: true,
        memberStatus: 'pending',
        role: 'Data Editor',
      },
    ]);
    t.like((await outbox(scope))[0], { language: 'en', data: { username: 'jcho11' } });
    const loginsFile = 'Email,User Type,Role\ncorp.user@example.org,Creator,User\n';
    // Without a SAML or OIDC source the invitees could never join: the upload is refused.
    const runs = () =>
      get().database.knex('import_runs').where('org_id', scope.orgId).count({ n: '*' });
    const runsBefore = await runs();
    await t.throwsAsync(
      uploadImport(
        { ...deps(), sources: () => [] },
        scope,
        { mode: 'invite-org-logins' },
        bytes(loginsFile),
      ),
      { instanceOf: ValidationError, message: /mode: .*needs a SAML or OpenID Connect source/ },
    );
    t.deepEqual(await runs(), runsBefore);
    const logins = await upload(scope, { mode: 'invite-org-logins' }, loginsFile);
    await apply(scope, logins.id);
    t.like(
      (await invitations(scope)).find((i) => i.email === 'corp.user@example.org'),
      { mode: 'organization-logins', status: 'pending' },
    );
  });

  test(`${kind}: mail options are refused where nothing is mailed, and a full organization takes no invitation`, async (t) => {
    const scope = await get().newOrg();
    await t.throwsAsync(upload(scope, { mode: 'add', language: 'de' }, fixture('add.csv')), {
      instanceOf: ValidationError,
      message: /language: the add mode sends no mail/,
    });
    await t.throwsAsync(
      upload(
        scope,
        { format: 'createusers', message: 'hi' },
        fixture('createusers-enterprise.txt'),
      ),
      { instanceOf: ValidationError, message: /message: a CreateUsers file sends no mail/ },
    );
    await updateOrganization(get().database.knex, scope, { membershipLimit: 1 });
    const run = await upload(scope, { mode: 'invite-any' }, fixture('invite.csv'));
    t.deepEqual(run.report.membershipLimit, { limit: 1, count: 0, adding: 2 });
    await t.throwsAsync(apply(scope, run.id), { instanceOf: LimitError });
    t.deepEqual(await invitations(scope), []);
    t.deepEqual(await outbox(scope), []);
  });

  test(`${kind}: the organization's defaults for new members (groups, licenses, categories, credits) apply to imported members and invitees`, async (t) => {
    const scope = await get().newOrg();
    const group = await createGroup(get().database.knex, scope, { name: 'Field crews' });
    await createLicense(get().database.knex, scope, {
      name: 'ArcGIS Pro',
      userTypes: ['Creator', 'Contributor', 'Mobile Worker'],
    });
    await updateOrganization(get().database.knex, scope, {
      newMemberDefaults: {
        groups: ['Field crews'],
        licenses: ['ArcGIS Pro'],
        categories: ['imported'],
        credits: 250,
        settings: { language: 'fr' },
      },
    });
    await apply(scope, (await upload(scope, { mode: 'add' }, fixture('add.csv'))).id);
    await apply(
      scope,
      (
        await upload(
          scope,
          { mode: 'invite-any' },
          'Email,User Type,Role\nnew.person@example.org,Creator,User\n',
        )
      ).id,
    );
    const rows = await get()
      .database.knex('members')
      .where('org_id', scope.orgId)
      .orderBy('email')
      .select('id', 'email', 'licenses', 'categories', 'credits', 'settings');
    t.is(rows.length, 3);
    for (const row of rows) {
      t.deepEqual(
        [row.licenses, row.categories, Number(row.credits), row.settings],
        [['ArcGIS Pro'], ['imported'], 250, { language: 'fr' }],
        String(row.email),
      );
    }
    const joined = await get()
      .database.knex('memberships')
      .where('group_id', group.id)
      .count({ n: '*' });
    t.is(Number(joined[0]?.n), 3, 'every new member joins the default group');

    // The settings refuse an unknown group, so the default group is deleted after it was set.
    const other = await get().newOrg();
    await createGroup(get().database.knex, other, { name: 'Gone' });
    await updateOrganization(get().database.knex, other, {
      newMemberDefaults: { groups: ['Gone'] },
    });
    await deleteGroup(get().database.knex, other, 'Gone');
    const refused = await upload(other, { mode: 'add' }, fixture('add.csv'));
    await t.throwsAsync(apply(other, refused.id), {
      instanceOf: ValidationError,
      message: /default groups for new members name unknown group\(s\): Gone/,
    });
    t.is((await counts(get(), other)).members, 0);
  });

  test(`${kind}: a file that would exceed the membership limit is refused as a whole`, async (t) => {
    const scope = await get().newOrg();
    await updateOrganization(get().database.knex, scope, { membershipLimit: 3 });
    const run = await upload(
      scope,
      { format: 'createusers' },
      fixture('createusers-enterprise.txt'),
    );
    t.deepEqual(run.report.membershipLimit, { limit: 3, count: 0, adding: 5 });
    t.like(
      run.report.issues.find((i) => i.severity === 'error'),
      { line: 4 },
    );
    await t.throwsAsync(apply(scope, run.id, true), {
      instanceOf: LimitError,
      message: /membership limit is 3/,
    });
    t.is((await counts(get(), scope)).members, 0);
  });

  test(`${kind}: every bad input is named in the report with its line number and nothing is written`, async (t) => {
    const scope = await get().newOrg();
    const header = 'Email,First Name,Last Name,Username,Password,User Type,Role\n';
    const good = 'ok@example.org,Ok,Person,okperson,Kx81-vbq4,Creator,User\n';
    const cases: Array<[string, Buffer | string, RegExp, number | null]> = [
      ['no header', good, /no header line: line 1 looks like data/, 1],
      [
        'unknown header',
        `Email,Shoe Size,Username,Password\n${good}`,
        /column 2: unknown header "Shoe Size"/,
        1,
      ],
      [
        'mixed separators',
        `${header + good}ok2@example.org;Ok;Person;okperson2;Kx81-vbq4;Creator;User\n`,
        /too few fields: 1 where the header has 7 .*mixed separators/,
        3,
      ],
      [
        'non-UTF-8',
        Buffer.concat([
          Buffer.from(header + good),
          Buffer.from('j\xe9r\xf4me@example.org,J,R,jerome1,Kx81-vbq4,Creator,User\n', 'latin1'),
        ]),
        /not UTF-8/,
        3,
      ],
      ['empty file', '', /the file is empty/, null],
      [
        'too many fields',
        `${header + good}a@b.org,A,B,abcdefg,Kx81-vbq4,Creator,User,extra\n`,
        /too many fields: 8 where the header has 7/,
        3,
      ],
      [
        'password = username',
        `${header + good}a@b.org,A,B,Kx81-vbq4z,Kx81-vbq4z,Creator,User\n`,
        /must not be the same as the username/,
        3,
      ],
      [
        'apostrophe in email',
        `${header + good}o'neil@b.org,A,B,oneill1,Kx81-vbq4,Creator,User\n`,
        /apostrophe/,
        3,
      ],
      [
        '5-character username',
        `${header + good}a@b.org,A,B,abcde,Kx81-vbq4,Creator,User\n`,
        /got 5/,
        3,
      ],
      [
        '129-character username',
        `${header + good}a@b.org,A,B,${'a'.repeat(129)},Kx81-vbq4,Creator,User\n`,
        /got 129/,
        3,
      ],
      [
        'unknown user type',
        `${header + good}a@b.org,A,B,abcdefg,Kx81-vbq4,Astronaut,User\n`,
        /unknown user type "Astronaut"/,
        3,
      ],
      [
        'duplicate in the file',
        `${header + good}x@b.org,X,Y,OKPERSON,Kx81-vbq4,Creator,User\n`,
        /appears twice in the file \(first on line 2\)/,
        3,
      ],
    ];
    for (const [name, content, message, line] of cases) {
      const run = await upload(scope, { mode: 'add' }, content);
      const issue = run.report.issues.find(
        (i) => i.severity === 'error' && message.test(i.message),
      );
      t.truthy(issue, `${name}: ${JSON.stringify(run.report.issues)}`);
      t.is(issue?.line, line, name);
      await t.throwsAsync(apply(scope, run.id), { instanceOf: ValidationError }, name);
    }
    t.is((await counts(get(), scope)).members, 0);
  });

  test(`${kind}: BOM, semicolons, tabs, quoted fields and French headers`, async (t) => {
    const scope = await get().newOrg();
    const semicolon =
      '\uFEFFAdresse électronique;Prénom;Nom;Nom d’utilisateur;Mot de passe;Type d’utilisateur;Rôle\n"ada@example.org";"Ada; Countess";"Lovelace";ada.lovelace;"Kx81;vbq4";Creator;Utilisation\n';
    const run = await upload(scope, { mode: 'add' }, semicolon);
    t.like(run.report, { separator: ';', valid: 1, invalid: 0 });
    const tab = 'Email\tUser Type\tRole\r\nbob@example.org\tViewer\tConsultation\r\n';
    t.like((await upload(scope, { mode: 'invite-any' }, tab)).report, {
      separator: '\t',
      valid: 1,
    });
    await apply(scope, run.id);
    t.like((await members(scope))[0], {
      username: 'ada.lovelace',
      first_name: 'Ada; Countess',
      role: 'User',
    });
  });
});

eachDatabase((kind, get) => {
  test(`${kind}: with two writers, a batch whose passwords hash slower than the next one's still commits first`, async (t) => {
    const scope = await get().newOrg();
    // The first batch's passwords take longer to hash, so the second is ready to write first.
    const slowFirst = {
      hash: async (p: string) => {
        if (p.startsWith('Slow')) await new Promise((resolve) => setTimeout(resolve, 400));
        return get().deps.hasher.hash(p);
      },
      verify: get().deps.hasher.verify,
    };
    const lines = [
      'Email,First Name,Last Name,Username,Password',
      ...['anna', 'bert'].map((n) => `${n}@example.org,${n},Import,${n}.import,Slow-Kx81-vbq4`),
      ...['carl', 'dora'].map((n) => `${n}@example.org,${n},Import,${n}.import,Kx81-vbq4`),
    ];
    const deps = {
      db: get().database.knex,
      links: get().deps.links,
      publicUrl: 'https://provisiond.example.org',
      batchSize: 2,
      writers: 2,
      sources: () => IDENTITY_SOURCES,
      hasher: slowFirst,
    };
    const run = await uploadImport(deps, scope, { mode: 'add' }, bytes(lines.join('\n')));
    t.timeout(30_000, 'the apply never finished');
    t.like(await (await startApply(deps, scope, run.id, {})).done, {
      status: 'applied',
      created: 4,
    });
    t.like(await getImport(deps.db, scope.orgId, run.id), { progress: { appliedThroughLine: 5 } });
  });

  for (const writers of [1, 2])
    test(`${kind}: an apply interrupted after a batch resumes after it and creates the rest once (${writers} writer(s))`, async (t) => {
      const scope = await get().newOrg();
      let calls = 0;
      const failing = {
        hash: async (p: string) => {
          if (++calls === 3) throw new Error('disk on fire');
          return get().deps.hasher.hash(p);
        },
        verify: get().deps.hasher.verify,
      };
      const lines = [
        'Email,First Name,Last Name,Username,Password',
        ...['anna', 'bert', 'carl', 'dora', 'emil'].map(
          (n) => `${n}@example.org,${n},Import,${n}.import,Kx81-vbq4`,
        ),
      ];
      const deps = {
        db: get().database.knex,
        links: get().deps.links,
        publicUrl: 'https://provisiond.example.org',
        batchSize: 2,
        writers,
        sources: () => IDENTITY_SOURCES,
      };
      const run = await uploadImport(
        { ...deps, hasher: failing },
        scope,
        { mode: 'add' },
        bytes(lines.join('\n')),
      );
      await t.throwsAsync(
        (await startApply({ ...deps, hasher: failing }, scope, run.id, {})).done,
        { message: 'disk on fire' },
      );
      t.like(await getImport(deps.db, scope.orgId, run.id), {
        status: 'failed',
        created: 2,
        progress: { appliedThroughLine: 3 },
      });
      const resumed = await (
        await startApply({ ...deps, hasher: get().deps.hasher }, scope, run.id, {})
      ).done;
      t.like(resumed, { status: 'applied', created: 5, alreadyPresent: 0 });
      const [row] = await deps.db('members').where('org_id', scope.orgId).count({ n: '*' });
      t.is(Number(row?.n), 5);
    });
});
