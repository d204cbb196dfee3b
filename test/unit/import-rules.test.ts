import { readFileSync } from 'node:fs';
import test from 'ava';
import type { Catalog } from '../../src/catalog/catalog-store.ts';
import { DEFAULT_ROLES, DEFAULT_USER_TYPES } from '../../src/catalog/default-catalog.ts';
import {
  createUsersAccountProblem,
  parseCreateUsersLine,
} from '../../src/import/createusers-line.ts';
import { csvRecords, detectSeparator } from '../../src/import/file-reader.ts';
import { foldLabel, matchHeader } from '../../src/import/header-matching.ts';
import {
  IMPORT_MODES,
  MODE_IDS,
  TEMPLATE_LANGUAGES,
  templateOf,
} from '../../src/import/import-modes.ts';
import {
  type RowPolicy,
  enterpriseUsername,
  validateRow,
} from '../../src/import/row-validation.ts';

const catalog: Catalog = {
  userTypes: DEFAULT_USER_TYPES.map((t) => ({
    id: `ut-${t.name}`,
    name: t.name,
    fileId: t.fileId,
    aliases: t.aliases,
    privileges: t.privileges,
  })),
  roles: DEFAULT_ROLES.map((r) => ({
    id: `role-${r.name}`,
    name: r.name,
    aliases: r.aliases,
    privileges: r.privileges,
    parameterName: null,
    exclusiveSet: null,
  })),
};
const policy = (extra: Partial<RowPolicy> = {}): RowPolicy => ({
  account: 'builtin',
  accountRule: 'member',
  allowAdministrator: true,
  catalog,
  defaults: {},
  sources: { saml: ['corp-saml'], oidc: ['corp-oidc'] },
  ...extra,
});
const lines = (file: string) =>
  readFileSync(`test/fixtures/import/${file}`, 'utf8').trim().split('\n');

test('every template header matches its own mode, in every language', (t) => {
  for (const language of TEMPLATE_LANGUAGES)
    for (const id of MODE_IDS) {
      const names = templateOf(IMPORT_MODES[id], language).trim().split(',');
      const match = matchHeader(names, IMPORT_MODES[id]);
      t.deepEqual(match.ok && match.columns, IMPORT_MODES[id].template, `${id} in ${language}`);
    }
});

test('templates carry the administrators’ guides’ header wordings in the language asked', (t) => {
  t.is(
    templateOf(IMPORT_MODES.add, 'fr'),
    'Adresse électronique,Prénom,Nom,Nom d’utilisateur,Mot de passe,Type d’utilisateur,Rôle\r\n',
  );
  t.is(
    templateOf(IMPORT_MODES['add-org-ids'], 'fr'),
    'Adresse électronique,Prénom,Nom,Type d’identité,ID,Type d’utilisateur,Rôle\r\n',
  );
  t.is(
    templateOf(IMPORT_MODES.add, 'de'),
    'E-Mail,Vorname,Nachname,Benutzername,Passwort,Benutzertyp,Rolle\r\n',
  );
  t.is(templateOf(IMPORT_MODES['invite-any']), 'Email,User Type,Role\r\n');
});

test('headers: case-insensitive, French labels with either apostrophe, any order', (t) => {
  const french = [
    'Prénom',
    'NOM',
    'adresse electronique',
    'Nom d’utilisateur',
    'Mot de passe',
    'Rôle',
    "Type d'utilisateur",
  ];
  const match = matchHeader(french, IMPORT_MODES['portal-builtin']);
  t.deepEqual(match.ok && match.columns, [
    'firstName',
    'lastName',
    'email',
    'username',
    'password',
    'role',
    'userType',
  ]);
  t.is(foldLabel('  User   TYPE '), 'user type');
});

test('headers: unknown, duplicate and missing columns are each named', (t) => {
  const match = matchHeader(['Email', 'Shoe Size', 'Email'], IMPORT_MODES.add);
  t.false(match.ok);
  const text = !match.ok ? match.problems.map((p) => p.message).join('\n') : '';
  t.regex(text, /unknown header "Shoe Size"/);
  t.regex(text, /appears twice/);
  t.regex(text, /no Username column/);
  t.regex(text, /no Password column/);
});

test('separators: comma, semicolon, tab; a header mixing them is refused', (t) => {
  t.is(detectSeparator('Email,User Type,Role'), ',');
  t.is(detectSeparator('Email;User Type;Role'), ';');
  t.is(detectSeparator('Email\tUser Type\tRole'), '\t');
  t.throws(() => detectSeparator('Email,User Type;Role'), {
    message: /mixes separators \(comma and semicolon\)/,
  });
});

test('line endings: CRLF, LF and CR mixed in one file are each the end of a row', async (t) => {
  async function* text() {
    yield 'Email,User Type,Role\r\nann@example.org,Viewer,Viewer\n';
    yield 'bob@example.org,Creator,User\rcy@example.org,"Creator",User\r\n"multi\nline",x,y\n';
  }
  const rows: Array<[number, string[]]> = [];
  for await (const r of csvRecords(text(), () => {})) rows.push([r.line, r.fields]);
  t.deepEqual(
    rows.map(([, fields]) => fields),
    [
      ['Email', 'User Type', 'Role'],
      ['ann@example.org', 'Viewer', 'Viewer'],
      ['bob@example.org', 'Creator', 'User'],
      ['cy@example.org', 'Creator', 'User'],
      ['multi\nline', 'x', 'y'],
    ],
  );
});

test('CreateUsers enterprise: every example line of Portal for ArcGIS reads as the text describes', (t) => {
  const parsed = lines('createusers-enterprise.txt').map((l) =>
    parseCreateUsersLine(l, 'enterprise'),
  );
  const rows = parsed.map((p) => (p.ok ? p.row : null));
  t.like(rows[0], {
    login: 'jcho111@DOMAIN',
    email: 'jcho@domain.com',
    name: 'Jon Cho',
    role: 'user',
    description: 'department b',
    userTypeId: 'creatorUT',
    idpUserName: undefined,
  });
  t.like(rows[1], {
    login: 'rsmith@domain.com',
    role: 'publisher',
    description: undefined,
    idpUserName: 'rsmith@domain.com',
    userTypeId: 'GISProfessionalBasicUT',
  });
  t.like(rows[2], {
    login: 'sjames4513@DOMAIN',
    role: 'viewer',
    description: 'Department Lead and GIS Manager',
    userTypeId: 'viewerUT',
  });
  t.like(rows[3], {
    login: 'srajhandas@DOMAIN',
    role: 'user',
    userTypeId: 'editorUT',
    description: undefined,
  });
  t.like(rows[4], {
    login: 'djohnson308@DOMAIN',
    description: 'Account Specialist',
    idpUserName: 'djohnson@domain.com',
    userTypeId: 'GISProfessionalStdUT',
  });
});

test('CreateUsers builtin: every example line of Portal for ArcGIS reads as the text describes', (t) => {
  const [pub1, jcho] = lines('createusers-builtin.txt').map((l) =>
    parseCreateUsersLine(l, 'builtin'),
  );
  t.like(pub1?.ok && pub1.row, {
    login: 'pub1',
    password: 'changepasswordlater1',
    email: 'bwilliams@domain.com',
    name: 'Barbara Williams',
    role: 'publisher',
    userTypeId: 'GISProfessionalAdvUT',
  });
  t.like(jcho?.ok && jcho.row, {
    login: 'jcho',
    role: 'admin',
    description: 'GIS Manager',
    firstName: 'Jon',
    lastName: 'Cho',
    userTypeId: 'creatorUT',
  });
});

test('CreateUsers: too many fields, no user type id, a missing required field', (t) => {
  t.like(parseCreateUsersLine('a|b@c.d|A B|user|d|e|f|g|h|creatorUT', 'enterprise'), {
    ok: false,
    message: 'has 10 fields; an enterprise line has at most 9',
  });
  t.like(parseCreateUsersLine('a|b@c.d|A B|user|department', 'enterprise'), {
    ok: false,
    field: 'userType',
  });
  t.like(parseCreateUsersLine('a||A B|user|creatorUT', 'enterprise'), {
    ok: false,
    field: 'email',
    message: 'is required',
  });
});

test('CreateUsers accounts: ASCII letters, digits and underscores, at most 128', (t) => {
  t.is(createUsersAccountProblem('pub1'), null);
  t.is(createUsersAccountProblem('a_b_C9'), null);
  t.regex(createUsersAccountProblem('a.b') ?? '', /letters, digits and underscores/);
  t.regex(createUsersAccountProblem('a'.repeat(129)) ?? '', /at most 128/);
});

test('enterprise usernames: domain\\user and user@domain become user@DOMAIN', (t) => {
  t.is(enterpriseUsername('domain\\jcho11'), 'jcho11@DOMAIN');
  t.is(enterpriseUsername('jcho11@domain'), 'jcho11@DOMAIN');
  t.is(enterpriseUsername('rsmith@domain.com'), 'rsmith@domain.com');
  t.is(enterpriseUsername('j cho!'), 'j_cho_');
});

test('rows: the ArcGIS Online add rows are valid; names, type and role resolved', (t) => {
  const outcome = validateRow(
    {
      line: 2,
      values: {
        email: 'jcho@email.com',
        firstName: 'Jon',
        lastName: 'Cho',
        username: 'jcho11',
        password: 'jc40.l2eh',
        userType: 'Creator',
        role: 'Publisher',
      },
    },
    policy(),
  );
  t.like(outcome, {
    ok: true,
    row: {
      username: 'jcho11',
      firstName: 'Jon',
      lastName: 'Cho',
      userTypeId: 'ut-Creator',
      roleId: 'role-Publisher',
      source: 'builtin',
      password: 'jc40.l2eh',
    },
  });
});

test('rows: every bad value of the issue is named with its field and line', (t) => {
  const bad = (values: Record<string, string>, extra: Partial<RowPolicy> = {}) => {
    const outcome = validateRow(
      {
        line: 7,
        values: {
          email: 'a@b.org',
          username: 'goodname',
          password: 'Kx81-vbq4',
          userType: 'Creator',
          role: 'User',
          firstName: 'A',
          lastName: 'B',
          ...values,
        },
      },
      policy(extra),
    );
    return outcome.ok ? [] : outcome.issues.map((i) => `${i.line} ${i.field}: ${i.message}`);
  };
  t.regex(
    bad({ username: 'Kx81-vbq4x', password: 'Kx81-vbq4x' }).join(),
    /7 Password: must not be the same as the username/,
  );
  t.regex(bad({ email: "o'neil@b.org" }).join(), /7 Email: must not contain an apostrophe/);
  t.regex(bad({ username: 'abcde' }).join(), /7 Username: .*got 5/);
  t.regex(bad({ username: 'a'.repeat(129) }).join(), /7 Username: .*got 129/);
  t.regex(bad({ userType: 'Astronaut' }).join(), /7 User Type: unknown user type "Astronaut"/);
  t.regex(
    bad({ userType: 'Viewer', role: 'Publisher' }).join(),
    /7 Role: role Publisher is not compatible with user type Viewer; compatible roles: Viewer/,
  );
  t.regex(
    bad({ role: 'Administrator' }, { account: 'invitation', allowAdministrator: false }).join(),
    /7 Role: Administrator is an administrator role/,
  );
  t.deepEqual(bad({ role: 'Administrator' }), []);
});

test('rows: an unknown role falls back to the default new-member role, else User', (t) => {
  const row = (defaults: RowPolicy['defaults']) =>
    validateRow(
      { line: 3, values: { email: 'a@b.org', userType: 'Creator', role: 'Astronaut' } },
      policy({ account: 'invitation', defaults }),
    );
  t.like(row({}), {
    ok: true,
    row: { roleId: 'role-User' },
    warnings: [{ line: 3, field: 'Role', severity: 'warning' }],
  });
  t.like(row({ role: 'Publisher' }), { ok: true, row: { roleId: 'role-Publisher' } });
});

test('rows: a CreateUsers email written `false` takes the default email; without one it is refused', (t) => {
  const values = {
    username: 'x@D',
    email: 'false',
    name: 'Jon Cho',
    role: 'user',
    userType: 'creatorUT',
  };
  const withDefault = policy({
    account: 'enterprise',
    accountRule: 'createusers',
    defaultEmail: 'nobody@example.org',
  });
  t.like(validateRow({ line: 1, values }, withDefault), {
    ok: true,
    row: { email: 'nobody@example.org' },
  });
  const without = policy({ account: 'enterprise', accountRule: 'createusers' });
  t.like(validateRow({ line: 1, values }, without), {
    ok: false,
    issues: [
      { field: 'Email', message: 'is required (or give a default email for rows without one)' },
    ],
  });
  // Outside CreateUsers files, `false` is an address like any other (and not a valid one).
  t.like(
    validateRow(
      { line: 1, values: { ...values, email: 'FALSE' } },
      policy({ account: 'enterprise', defaultEmail: 'nobody@example.org' }),
    ),
    {
      ok: false,
    },
  );
});

test('rows: CreateUsers names are derived from the name; with none the row is refused', (t) => {
  const enterprise = policy({ account: 'enterprise', accountRule: 'createusers' });
  t.like(
    validateRow(
      {
        line: 1,
        values: {
          username: 'x@D',
          email: 'x@d.org',
          name: 'Jon Cho',
          firstName: 'no firstName',
          role: 'user',
          userType: 'creatorUT',
        },
      },
      enterprise,
    ),
    { ok: true, row: { firstName: 'Jon', lastName: 'Cho' } },
  );
  t.like(
    validateRow(
      {
        line: 1,
        values: {
          username: 'x@D',
          email: 'x@d.org',
          name: 'Cher',
          role: 'user',
          userType: 'creatorUT',
        },
      },
      enterprise,
    ),
    { ok: true, row: { firstName: 'Cher', lastName: 'Cher' } },
  );
  t.like(
    validateRow(
      {
        line: 1,
        values: {
          username: 'x@D',
          email: 'x@d.org',
          name: '',
          role: 'user',
          userType: 'creatorUT',
        },
      },
      enterprise,
    ),
    { ok: false, issues: [{ field: 'Name' }] },
  );
});
