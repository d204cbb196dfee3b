import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, formToken } from '../helpers/browser.ts';
import { api, type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { sinkConfig, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// Email invitations end to end: the CLI contract, the daemon's delivery worker sending to a real
// SMTP sink, the acceptance page in the invitee's language, built-in acceptance over HTTP (once),
// resend and delete through the CLI, and refusals with nothing written.

const dir = tempDir('provisiond-invitations-');
const env: Record<string, string> = { PROVISIOND_DATA_DIR: path.join(dir, 'data') };
let daemon: DaemonProcess;
let sink: SmtpSink;

test.before(async () => {
  sink = await startSmtpSink();
  const config = path.join(dir, 'provisiond.yaml');
  writeFileSync(
    config,
    sinkConfig(sink, 'Bantiger Elektro AG', 'Bantiger <no-reply@bantiger.test>'),
  );
  env.PROVISIOND_CONFIG = config;
  daemon = await startDaemonProcess(env);
});

test.after.always(async () => {
  await daemon?.stop();
  await sink?.close();
});

const cli = (...args: string[]) => runCli(args, env);
const local = (link: string, url: string) => link.replace(/^https?:\/\/[^/]+/, url);

test.serial(
  'invitations create prints id, status, expiresAt and link; the mail arrives; the invitee accepts once',
  async (t) => {
    const created = await cli(
      'invitations',
      'create',
      '--email',
      'ada@example.org',
      '--role',
      'Publisher',
      '--language',
      'fr',
      '--json',
    );
    t.is(created.code, 0, created.stderr);
    const invitation = JSON.parse(created.stdout);
    t.like(invitation, { status: 'pending', email: 'ada@example.org', role: 'Publisher' });
    t.truthy(invitation.id);
    t.true(Math.abs(Date.parse(invitation.expiresAt) - Date.now() - 14 * 86_400_000) < 120_000);
    t.regex(invitation.link, /\/invitations\/accept\?token=inv_[A-Za-z0-9_-]{43}&lang=fr$/);

    const mail = await sink.mailTo('ada@example.org');
    t.true(mail.includes(invitation.link), 'the mail carries the link');
    t.true(mail.includes('vous invite à rejoindre Bantiger Elektro AG'));
    t.regex(mail, /From: Bantiger <no-reply@bantiger\.test>/);

    const browser = new Browser();
    const link = local(invitation.link, daemon.url);
    const shown = await browser.get(link);
    t.is(shown.status, 200);
    t.true(shown.text.includes('lang="fr"'));
    t.true(
      shown.text.includes('Bantiger Elektro AG') &&
        shown.text.includes('Publisher') &&
        shown.text.includes('local administrator (CLI)'),
    );

    const weak = await browser.post(`${daemon.url}/invitations/accept?lang=fr`, {
      csrfToken: formToken(shown.text),
      token: new URL(link).searchParams.get('token')!,
      username: 'ada.lovelace',
      password: 'short',
      email: 'ada@example.org',
    });
    t.is(weak.status, 400);
    t.true(weak.text.includes('role="alert"'));
    const accepted = await browser.post(`${daemon.url}/invitations/accept?lang=fr`, {
      csrfToken: formToken(weak.text),
      token: new URL(link).searchParams.get('token')!,
      username: 'ada.lovelace',
      password: 'Analytical-1843',
      email: 'ada@example.org',
    });
    t.is(accepted.status, 201, accepted.text);
    t.like(JSON.parse((await browser.get(`${daemon.url}/auth/session`)).text), { signedIn: true });
    const again = await new Browser().get(link);
    t.is(again.status, 404, 'an accepted link opens nothing');
    t.true(again.text.includes('déjà accepté'));
    const second = await fetch(`${daemon.url}/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: new URL(link).searchParams.get('token'),
        username: 'ada.again',
        password: 'Analytical-1843',
      }),
    });
    t.is(second.status, 404, 'a second acceptance is refused');
    const shownAfter = JSON.parse(
      (await cli('invitations', 'show', invitation.id, '--json')).stdout,
    );
    t.is(shownAfter.status, 'accepted');
    t.false(
      daemon.output().includes(new URL(link).searchParams.get('token')!),
      'the token never reaches the log',
    );
  },
);

test.serial(
  'resend kills the old link, delete frees the username, bad input writes nothing',
  async (t) => {
    const before = sink.messages.length;
    const first = JSON.parse(
      (
        await cli(
          'invitations',
          'create',
          '--email',
          'kim@example.org',
          '--mode',
          'add-and-notify',
          '--username',
          'kim.created',
          '--language',
          'de',
          '--json',
        )
      ).stdout,
    );
    await sink.mailTo('kim@example.org', before);
    const resent = JSON.parse((await cli('invitations', 'resend', first.id, '--json')).stdout);
    t.not(resent.link, first.link);
    t.is(
      (await new Browser().get(local(first.link, daemon.url))).status,
      404,
      'the old link is dead',
    );
    const page = await new Browser().get(local(resent.link, daemon.url));
    t.is(page.status, 200);
    t.true(page.text.includes('kim.created') && page.text.includes('lang="de"'));
    const table = await cli('invitations', 'list', '--status', 'pending', '--sort', 'email');
    t.true(
      table.stdout.includes(resent.link),
      `the table shows the copyable link: ${table.stdout}`,
    );
    const tokenIn = (link: string) => new URL(link).searchParams.get('token');
    await daemon.stop();
    daemon = await startDaemonProcess(env);
    const shown = JSON.parse((await cli('invitations', 'show', first.id, '--json')).stdout);
    t.is(
      tokenIn(shown.link),
      tokenIn(resent.link),
      'after a restart the link is still shown: the key file stays in the data directory',
    );
    const deleted = await cli('invitations', 'delete', first.id, '--json');
    t.like(JSON.parse(deleted.stdout), { status: 'deleted' });
    t.is(
      (await new Browser().get(local(resent.link, daemon.url))).status,
      404,
      'a deleted invitation opens nothing',
    );
    const again = await cli('invitations', 'delete', first.id);
    t.is(again.code, 1);
    t.regex(again.stderr, /only a pending invitation/);
    t.is(
      (
        await cli(
          'invitations',
          'create',
          '--email',
          'kim2@example.org',
          '--mode',
          'add-and-notify',
          '--username',
          'kim.created',
        )
      ).code,
      0,
      'username reusable',
    );

    const count = JSON.parse((await cli('invitations', 'list', '--json')).stdout).total;
    for (const [args, message] of [
      [['--email', "o'neil@example.org"], /apostrophe/],
      [['--email', 'x@example.org', '--role', 'Nope'], /unknown role/],
      [['--email', 'x@example.org', '--role', 'Administrator'], /administrator role/],
    ] as const) {
      const bad = await cli('invitations', 'create', ...args);
      t.is(bad.code, 1);
      t.regex(bad.stderr, message);
    }
    t.is(
      JSON.parse((await cli('invitations', 'list', '--json')).stdout).total,
      count,
      'nothing written',
    );
    const token = JSON.parse(
      (
        await runCli(
          [
            'keys',
            'create',
            '--title',
            't',
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
    const members = (await api(daemon.url, 'GET', '/api/v1/members', token)).body.total as number;
    t.is((await cli('orgs', 'update', '--membership-limit', String(members))).code, 0);
    const full = await cli('invitations', 'create', '--email', 'full@example.org');
    t.is(full.code, 1);
    t.regex(full.stderr, /membership limit/);
  },
);
