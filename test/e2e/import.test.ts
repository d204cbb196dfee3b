import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { Browser } from '../helpers/browser.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { type SmtpSink, sinkConfig, startSmtpSink } from '../helpers/smtp-sink.ts';

// Imports end to end: the daemon on its embedded database, the CLI beside it (through the socket)
// and the admin API over HTTP, with the example files of the administrators' guides; the invite
// modes' mail goes to a real SMTP sink.

const dataDir = tempDir('provisiond-import-e2e-');
const env: Record<string, string> = { PROVISIOND_DATA_DIR: dataDir };
const fixture = (name: string) => path.resolve('test/fixtures/import', name);
let daemon: DaemonProcess;
let sink: SmtpSink;
let editor: string;

test.before(async () => {
  sink = await startSmtpSink();
  const config = path.join(dataDir, 'provisiond.yaml');
  writeFileSync(
    config,
    `${sinkConfig(sink, 'Wasserwerk Thun AG', 'Wasserwerk <no-reply@wasserwerk.test>')}sources:
  - { name: builtin, type: builtin }
  # The org-id rows link to these by name; they are never reached in this test.
  - { name: corp-saml, type: saml, idpMetadata: { url: 'http://127.0.0.1:9/metadata' } }
  - { name: corp-oidc, type: oidc, issuer: 'http://127.0.0.1:9', clientId: provisiond }
`,
  );
  env.PROVISIOND_CONFIG = config;
  daemon = await startDaemonProcess(env);
  const created = await runCli(
    [
      'keys',
      'create',
      '--title',
      'import e2e',
      '--role',
      'editor',
      '--expires-in-days',
      '365',
      '--json',
    ],
    env,
  );
  if (created.code !== 0) throw new Error(`keys create failed: ${created.stderr}`);
  editor = JSON.parse(created.stdout).secret;
});

test.after.always(async () => {
  await daemon?.stop();
  await sink?.close();
});

const cli = (...args: string[]) => runCli(['import', ...args], env);
const usernames = async () =>
  (
    (await api(daemon.url, 'GET', '/api/v1/members?pageSize=500&sort=username', editor)).body
      .items as Array<{ username: string }>
  ).map((m) => m.username);

test.serial("templates over the CLI and the API carry each mode's header line", async (t) => {
  const add = await cli('template', 'add');
  t.is(add.code, 0, add.stderr);
  t.is(add.stdout, 'Email,First Name,Last Name,Username,Password,User Type,Role\r\n');
  const viaApi = await api(
    daemon.url,
    'GET',
    '/api/v1/imports/templates/portal-enterprise',
    editor,
  );
  t.is(viaApi.body, 'First Name,Last Name,Email,Username,Role,User Type\r\n');
  t.regex(viaApi.headers.get('content-type') ?? '', /text\/csv; charset=utf-8/);
  t.is((await cli('template', 'nope')).code, 2);
  const modes = await cli('modes', '--json');
  t.is(JSON.parse(modes.stdout).total, 7);
  // Each mode names its columns with every label a header may use, so a client can place a
  // report's issues (named by English label) in a French or German file's columns.
  const orgIds = (
    JSON.parse(modes.stdout).items as Array<{
      id: string;
      columns: Array<{ field: string; label: string; accepted: string[]; required: boolean }>;
    }>
  ).find((m) => m.id === 'add-org-ids')!;
  t.deepEqual(
    orgIds.columns.map((c) => c.field),
    [
      'email',
      'firstName',
      'lastName',
      'identityType',
      'id',
      'userType',
      'role',
      'samlId',
      'oidcId',
    ],
  );
  t.like(
    orgIds.columns.find((c) => c.field === 'userType'),
    {
      label: 'User Type',
      required: false,
      accepted: ['User Type', 'Type d’utilisateur', "Type d'utilisateur", 'Benutzertyp'],
    },
  );
  // The document types the answers the console reads.
  const openapi = (await api(daemon.url, 'GET', '/api/v1/openapi.json')).body;
  const json = (op: any, status: number) =>
    op.responses[status].content['application/json'].schema.properties;
  t.truthy(json(openapi.paths['/imports/modes'].get, 200).items.items.properties.columns);
  t.deepEqual(json(openapi.paths['/imports/{id}'].get, 200).progress.required, [
    'appliedThroughLine',
    'lastLine',
  ]);
  t.truthy(openapi.paths['/imports/{id}'].delete.responses[204]);
});

test.serial(
  'CLI: validation alone writes nothing; --apply adds the ArcGIS Online members',
  async (t) => {
    const validated = await cli('csv', '--mode', 'add', '--file', fixture('add.csv'));
    t.is(validated.code, 0, validated.stderr);
    t.regex(validated.stdout, /2 rows, 2 valid, 0 invalid, 0 already present, 2 to create/);
    t.regex(
      validated.stdout,
      /nothing was written; to apply: provisiond import apply [0-9a-f-]{36}/,
    );
    t.deepEqual(await usernames(), []);
    const applied = await cli('csv', '--mode', 'add', '--file', fixture('add.csv'), '--apply');
    t.is(applied.code, 0, applied.stderr);
    t.regex(applied.stdout, /2 created, 0 already present/);
    const ids = await cli(
      'csv',
      '--mode',
      'add-org-ids',
      '--file',
      fixture('add-saml-ids.csv'),
      '--apply',
    );
    t.regex(ids.stdout, /2 created/, ids.stderr);
    t.deepEqual(await usernames(), ['jcho11', 'jonc1111', 'sati3554', 'srajhandas']);
  },
);

test.serial(
  'CLI: Portal for ArcGIS CSV formats, CreateUsers files, and a re-import that creates nothing',
  async (t) => {
    const builtin = await cli(
      'csv',
      '--mode',
      'portal-builtin',
      '--file',
      fixture('portal-builtin.csv'),
      '--apply',
    );
    t.regex(
      builtin.stdout,
      /nothing was created: all 2 valid rows are already present/,
      builtin.stderr,
    );
    const ad = await cli(
      'csv',
      '--mode',
      'portal-enterprise',
      '--file',
      fixture('portal-enterprise-ad.csv'),
      '--default-email',
      'admin@example.org',
      '--apply',
    );
    t.is(ad.code, 1, 'an invalid row stops --apply without --skip-invalid');
    t.regex(
      ad.stdout,
      /│ 2 +│ Role +│ error +│ role Publisher is not compatible with user type Contributor/,
    );
    const skipped = await cli(
      'csv',
      '--mode',
      'portal-enterprise',
      '--file',
      fixture('portal-enterprise-ad.csv'),
      '--default-email',
      'admin@example.org',
      '--apply',
      '--skip-invalid',
    );
    t.regex(skipped.stdout, /1 created, 0 already present, 1 invalid row left out/, skipped.stderr);
    const enterprise = await cli(
      'createusers',
      '--file',
      fixture('createusers-enterprise.txt'),
      '--apply',
    );
    t.regex(enterprise.stdout, /4 created, 1 already present/, enterprise.stderr);
    const accounts = await cli(
      'createusers',
      '--idp',
      'builtin',
      '--file',
      fixture('createusers-builtin.txt'),
      '--apply',
    );
    t.regex(accounts.stdout, /2 created/, accounts.stderr);
    const again = await cli(
      'createusers',
      '--idp',
      'builtin',
      '--file',
      fixture('createusers-builtin.txt'),
      '--apply',
    );
    t.is(again.code, 0);
    t.regex(again.stdout, /this file was already imported in this mode/);
    t.regex(again.stdout, /nothing was created: all 2 valid rows are already present/);
    const names = await usernames();
    for (const name of ['srajhandas@DOMAIN', 'jcho111@DOMAIN', 'rsmith@domain.com', 'pub1', 'jcho'])
      t.true(names.includes(name), name);
  },
);

test.serial(
  'CLI: a bad file is refused with each problem on its line, and exit code 1',
  async (t) => {
    const file = path.join(dataDir, 'bad.csv');
    writeFileSync(
      file,
      "Email,First Name,Last Name,Username,Password,User Type,Role\no'neil@example.org,O,Neil,oneil1,Kx81-vbq4,Creator,User\nx@example.org,X,Y,abcde,Kx81-vbq4,Astronaut,User\n",
    );
    const result = await cli('csv', '--mode', 'add', '--file', file, '--apply', '--json');
    t.is(result.code, 1);
    const run = JSON.parse(result.stdout);
    t.deepEqual(
      run.report.issues.map((i: { line: number; field: string }) => `${i.line} ${i.field}`),
      ['2 Email', '3 Username', '3 User Type'],
    );
    t.false((await usernames()).includes('oneil1'));
  },
);

test.serial(
  'API: upload for validation, read the report, confirm; the membership limit refuses a file',
  async (t) => {
    const upload = async (query: string, body: string) => {
      const response = await fetch(`${daemon.url}/api/v1/imports?${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${editor}`, 'content-type': 'text/csv' },
        body,
      });
      return { status: response.status, body: await response.json() };
    };
    const tsv =
      'First Name\tLast Name\tEmail\tUsername\tPassword\tRole\tUser Type\nGrace\tHopper\tgrace@example.org\tgrace.hopper\tCobol-1959x\tPublication\tCreator\n';
    const created = await upload('mode=portal-builtin', tsv);
    t.is(created.status, 201, JSON.stringify(created.body));
    t.like(created.body.report, { separator: '\t', valid: 1, toCreate: 1 });
    t.like((await api(daemon.url, 'GET', `/api/v1/imports/${created.body.id}`, editor)).body, {
      status: 'validated',
      report: { valid: 1 },
    });
    const applied = await api(
      daemon.url,
      'POST',
      `/api/v1/imports/${created.body.id}/apply?wait=true`,
      editor,
      {},
    );
    t.like(applied.body, { status: 'applied', created: 1 });
    t.like((await api(daemon.url, 'GET', '/api/v1/members/grace.hopper', editor)).body, {
      role: { name: 'Publisher' },
      mustChangePassword: true,
    });
    t.is((await upload('mode=nope', tsv)).status, 400);
    const read = (name: string) => readFileSync(fixture(name), 'utf8');
    for (const [query, file, valid] of [
      ['mode=add', 'add.csv', 2],
      ['mode=add-org-ids', 'add-org-ids.csv', 1],
      ['mode=add-org-ids', 'add-oidc-ids.csv', 2],
      ['mode=add-notify', 'add-notify.csv', 2],
      ['mode=invite-any', 'invite.csv', 2],
      ['mode=invite-org-logins', 'invite.csv', 2],
      ['mode=portal-builtin', 'portal-builtin.csv', 2],
      ['mode=portal-enterprise', 'portal-enterprise-saml.csv', 2],
      ['mode=portal-enterprise&defaultEmail=admin@example.org', 'portal-enterprise.csv', 1],
      ['format=createusers', 'createusers-enterprise.txt', 5],
      ['format=createusers&idp=builtin', 'createusers-builtin.txt', 2],
    ] as const) {
      const validated = await upload(query, read(file));
      t.is(validated.status, 201, file);
      t.is(
        validated.body.report.valid,
        valid,
        `${file}: ${JSON.stringify(validated.body.report.issues)}`,
      );
    }

    const count = (await usernames()).length;
    t.is((await runCli(['orgs', 'update', '--membership-limit', String(count + 1)], env)).code, 0);
    const over = await upload(
      'format=createusers&idp=builtin',
      'ada_l|Kx81-vbq4|ada@example.org|Ada Lovelace|user|creatorUT\nalan_t|Kx81-vbq4|alan@example.org|Alan Turing|user|creatorUT\n',
    );
    t.like(over.body.report, { membershipLimit: { limit: count + 1, count, adding: 2 } });
    const refused = await api(daemon.url, 'POST', `/api/v1/imports/${over.body.id}/apply`, editor, {
      skipInvalid: true,
    });
    t.is(refused.status, 409);
    t.regex(refused.body.detail, /membership limit is/);
    t.is((await usernames()).length, count);

    // A validated run that will not be applied is discarded with its file; an applied one stays.
    const path = (id: string) => `/api/v1/imports/${id}`;
    t.is((await api(daemon.url, 'DELETE', path(over.body.id), editor)).status, 204);
    t.is((await api(daemon.url, 'GET', path(over.body.id), editor)).status, 404);
    t.is((await api(daemon.url, 'DELETE', path(over.body.id), editor)).status, 404);
    const kept = await api(daemon.url, 'DELETE', path(created.body.id), editor);
    t.is(kept.status, 409);
    t.regex(kept.body.detail, /is applied: only a validated import that was not applied/);
    t.like((await api(daemon.url, 'GET', path(created.body.id), editor)).body, {
      status: 'applied',
    });
  },
);

test.serial(
  "CLI: the invite modes send invitations through the daemon's mail, in the chosen language; the links work; a re-import sends nothing",
  async (t) => {
    t.is((await runCli(['orgs', 'update', '--no-membership-limit'], env)).code, 0);
    const file = path.join(dataDir, 'invite.csv');
    writeFileSync(
      file,
      'Email,User Type,Role\nhanna.meier@example.org,Creator,Publisher\nluca.rossi@example.org,Contributor,Data Editor\n',
    );
    const invited = await cli(
      'csv',
      '--mode',
      'invite-any',
      '--file',
      file,
      '--language',
      'de',
      '--message',
      'Willkommen im Wasserwerk',
      '--apply',
    );
    t.is(invited.code, 0, invited.stderr);
    t.regex(invited.stdout, /applied import [0-9a-f-]{36}: 2 created, 0 already present/);
    const hanna = await sink.mailTo('hanna.meier@example.org');
    await sink.mailTo('luca.rossi@example.org');
    t.true(
      hanna.includes('Wasserwerk Thun AG') &&
        hanna.includes('Willkommen im Wasserwerk') &&
        hanna.includes('Publisher'),
      hanna,
    );
    const link =
      /https?:\/\/[^\s"<>]+\/invitations\/accept\?token=inv_[A-Za-z0-9_-]{43}&lang=de/.exec(
        hanna,
      )?.[0];
    t.truthy(link, 'the mail carries a German invitation link');
    const page = await new Browser().get(link!.replace(/^https?:\/\/[^/]+/, daemon.url));
    t.is(page.status, 200);
    t.true(page.text.includes('lang="de"') && page.text.includes('Wasserwerk Thun AG'));

    const listed = await api(daemon.url, 'GET', '/api/v1/invitations?status=pending', editor);
    const mine = (listed.body.items as Array<{ email: string; mode: string; role: string }>).filter(
      (i) => i.email.endsWith('@example.org') && /hanna|luca/.test(i.email),
    );
    t.deepEqual(mine.map((i) => `${i.email} ${i.mode} ${i.role}`).sort(), [
      'hanna.meier@example.org any-account Publisher',
      'luca.rossi@example.org any-account Data Editor',
    ]);

    const sent = sink.messages.length;
    const again = await cli(
      'csv',
      '--mode',
      'invite-any',
      '--file',
      file,
      '--language',
      'de',
      '--apply',
    );
    t.is(again.code, 0, again.stderr);
    t.regex(again.stdout, /nothing was created: all 2 valid rows are already present/);

    const notify = path.join(dataDir, 'notify.csv');
    writeFileSync(
      notify,
      'Email,First Name,Last Name,Username,User Type,Role\nnora.tify@example.org,Nora,Tify,nora.tify,Creator,User\n',
    );
    const added = await cli('csv', '--mode', 'add-notify', '--file', notify, '--apply');
    t.regex(added.stdout, /1 created/, added.stderr);
    const noraMail = await sink.mailTo('nora.tify@example.org');
    t.true(
      noraMail.includes('Your username: nora.tify'),
      'the mail names the pre-created username',
    );
    t.like((await api(daemon.url, 'GET', '/api/v1/members/nora.tify', editor)).body, {
      status: 'pending',
      username: 'nora.tify',
    });
    t.is(
      sink.messages.filter((m) => m.to.some((a) => /hanna|luca/.test(a))).length,
      2,
      `the re-import sent nothing (${sink.messages.length - sent} mail(s) since)`,
    );
  },
);
