import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { configSchema } from '../../src/config/config-schema.ts';
import { createInvitations } from '../../src/invitations/invitation-create.ts';
import { backoffMs, deliverDue } from '../../src/mail/delivery.ts';
import { createMailTransport } from '../../src/mail/transport.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { tempDir } from '../helpers/daemon.ts';
import { eachDatabase } from '../helpers/databases.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// The outbox and its delivery worker against a real SMTP server on 127.0.0.1: the mail carries
// the link in the invitation's language, a refused delivery is retried after a back-off, the body
// is cleared once sent, and with no SMTP configured the mail is written as an .eml file.

const log = createLogger('silent', 'stderr');
const options = {
  from: 'provisiond <no-reply@example.test>',
  maxAttempts: 3,
  retryBaseSeconds: 60,
};
let sink: SmtpSink;

test.before(async () => {
  sink = await startSmtpSink();
});
test.after.always(async () => {
  await sink?.close();
});

/** Quoted-printable undone (bytes, then UTF-8), enough to read the parts as text. */
const decoded = (raw: string) =>
  Buffer.from(
    raw
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

test('back-off doubles from the base and is capped at a day', (t) => {
  t.is(backoffMs(1, 30), 30_000);
  t.is(backoffMs(2, 30), 60_000);
  t.is(backoffMs(4, 30), 240_000);
  t.is(backoffMs(40, 30), 86_400_000);
});

eachDatabase((kind, fixture) => {
  test.serial(
    `[${kind}] invitations are delivered over SMTP in their language, with retries`,
    async (t) => {
      const f = fixture();
      const scope = await f.newOrg();
      const db = f.database.knex;
      const config = configSchema.parse({ mail: { smtp: { host: '127.0.0.1', port: sink.port } } });
      const transport = createMailTransport(config);
      const deps = { ...f.deps, publicUrl: 'https://id.example.test', sources: () => [] };
      const start = sink.messages.length;
      const {
        items: [fr],
      } = await createInvitations(deps, scope, {
        email: `fr-${kind}@example.org`,
        language: 'fr',
        message: 'Bienvenue à bord',
      });
      const {
        items: [de],
      } = await createInvitations(deps, scope, { email: `de-${kind}@example.org`, language: 'de' });
      sink.refuseNext(1);
      const now = new Date();
      t.is(
        await deliverDue(db, transport, { ...options, links: f.deps.links }, log, now),
        1,
        'one refused, one sent',
      );
      const retry = (await db('mail_outbox')
        .where('org_id', scope.orgId)
        .andWhere('status', 'queued')
        .first())!;
      t.like(retry, { attempts: 1, last_error: retry.last_error });
      t.regex(retry.last_error ?? '', /451|busy/);
      t.true(new Date(retry.next_attempt_at).getTime() >= now.getTime() + 59_000, 'backs off');
      t.is(
        await deliverDue(db, transport, { ...options, links: f.deps.links }, log, now),
        0,
        'not due yet',
      );
      t.is(
        await deliverDue(
          db,
          transport,
          { ...options, links: f.deps.links },
          log,
          new Date(Date.now() + 61_000),
        ),
        1,
      );
      await sink.waitFor(start + 2);
      const mine = sink.messages.slice(start);
      const frMail = decoded(mine.find((m) => m.to.includes(`fr-${kind}@example.org`))!.raw);
      t.regex(frMail, /Subject: =\?UTF-8\?Q\?Invitation_à_rejoindre/);
      t.true(frMail.includes('vous invite à rejoindre'));
      t.true(frMail.includes(fr!.link!), 'the French mail has the link');
      t.true(frMail.includes('Bienvenue à bord'));
      const deMail = decoded(mine.find((m) => m.to.includes(`de-${kind}@example.org`))!.raw);
      t.true(deMail.includes(de!.link!));
      t.true(deMail.includes('Einladung annehmen'));
      const rows = await db('mail_outbox').where('org_id', scope.orgId).select('status', 'data');
      t.deepEqual(
        rows.map((r) => [r.status, r.data]),
        [
          ['sent', null],
          ['sent', null],
        ],
        'bodies cleared once sent',
      );
      transport.close();
    },
  );

  test.serial(
    `[${kind}] a mail refused maxAttempts times is given up; without SMTP mails become .eml files`,
    async (t) => {
      const f = fixture();
      const scope = await f.newOrg();
      const db = f.database.knex;
      const deps = { ...f.deps, publicUrl: 'https://id.example.test', sources: () => [] };
      const smtp = createMailTransport(
        configSchema.parse({ mail: { smtp: { host: '127.0.0.1', port: sink.port } } }),
      );
      await createInvitations(deps, scope, { email: `gone-${kind}@example.org` });
      sink.refuseNext(3);
      let at = Date.now();
      for (let i = 0; i < 3; i += 1) {
        await deliverDue(db, smtp, { ...options, links: f.deps.links }, log, new Date(at));
        at += 10 * 60_000;
      }
      t.like(await db('mail_outbox').where('org_id', scope.orgId).first(), {
        status: 'failed',
        attempts: 3,
        data: null,
      });
      smtp.close();

      const dataDir = tempDir('provisiond-eml-');
      const eml = createMailTransport(configSchema.parse({ database: { dataDir } }));
      const {
        items: [inv],
      } = await createInvitations(deps, scope, {
        email: `file-${kind}@example.org`,
        language: 'en',
      });
      t.is(await deliverDue(db, eml, { ...options, links: f.deps.links }, log, new Date(at)), 1);
      const row = (await db('mail_outbox').where('invitation_id', inv!.id).first('id'))!;
      const file = path.join(dataDir, 'mail', `mail-${row.id}.eml`);
      t.true(existsSync(file));
      const text = decoded(readFileSync(file, 'utf8'));
      t.true(text.includes(inv!.link!));
      t.regex(text, /Subject: Invitation to join/);
    },
  );
});
