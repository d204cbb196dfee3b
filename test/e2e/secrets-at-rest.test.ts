import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { api, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { sinkConfig, startSmtpSink } from '../helpers/smtp-sink.ts';

// Nothing secret at rest: the passwords of an imported file (applied, and uploaded but not
// applied) and the invitation links of delivered mails (resend included) must be found nowhere
// in a dump of the PostgreSQL database, nor in any file of the embedded database's directory —
// where old row versions linger until vacuumed.

const HEADER = 'Email,First Name,Last Name,Username,Password,User Type,Role';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

for (const kind of databaseKinds()) {
  test.serial(`${kind}: planted passwords and invitation links are nowhere at rest`, async (t) => {
    t.timeout(5 * 60_000);
    const sink = await startSmtpSink();
    const dir = tempDir('provisiond-secrets-');
    const config = path.join(dir, 'provisiond.yaml');
    writeFileSync(config, sinkConfig(sink, 'Secrets Org', 'provisiond <no-reply@example.test>'));
    const pg = kind === 'postgres' ? await createPostgresDatabase() : undefined;
    const dataDir = path.join(dir, 'data');
    const env: Record<string, string> = {
      PROVISIOND_CONFIG: config,
      PROVISIOND_DATA_DIR: dataDir,
      ...(pg && { DATABASE_URL: pg.url }),
    };
    const daemon = await startDaemonProcess(env);
    try {
      const key = JSON.parse(
        (
          await runCli(
            [
              'keys',
              'create',
              '--title',
              'secrets',
              '--role',
              'editor',
              '--expires-in-days',
              '30',
              '--json',
            ],
            env,
          )
        ).stdout,
      ).secret as string;
      const applied = 'Applied-Secret-9941-zq';
      const pending = 'Pending-Secret-7730-xv';
      const upload = async (username: string, password: string) => {
        const response = await fetch(`${daemon.url}/api/v1/imports?mode=add`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
          body: `${HEADER}\n${username}@example.org,Sec,Ret,${username},${password},Creator,User\n`,
        });
        t.is(response.status, 201);
        return ((await response.json()) as { id: string }).id;
      };
      const first = await upload('secret.applied', applied);
      const apply = await api(daemon.url, 'POST', `/api/v1/imports/${first}/apply?wait=true`, key);
      t.is(apply.status, 200, JSON.stringify(apply.body));
      t.is(apply.body.status, 'applied');
      await upload('secret.pending', pending);

      const invited = await api(daemon.url, 'POST', '/api/v1/invitations', key, {
        email: 'secret.invitee@example.org',
      });
      t.is(invited.status, 201, JSON.stringify(invited.body));
      const invitation = invited.body.items[0];
      const resent = await api(
        daemon.url,
        'POST',
        `/api/v1/invitations/${invitation.id}/resend`,
        key,
      );
      t.is(resent.status, 200, JSON.stringify(resent.body));
      await sink.waitFor(2);
      const tokens = sink.messages
        .map((m) => /token=3D(inv_[A-Za-z0-9_-]+)|token=(inv_[A-Za-z0-9_-]+)/.exec(m.raw))
        .map((m) => m?.[1] ?? m?.[2]);
      t.is(tokens.filter(Boolean).length, 2, 'both mails carry a link');
      // The mails are delivered: their rows are settled before the database is read.
      const settled = Date.now() + 10_000;
      while (Date.now() < settled) {
        const shown = await api(daemon.url, 'GET', `/api/v1/invitations/${invitation.id}`, key);
        if (shown.body.status === 'pending') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500));
      t.is(await daemon.stop(), 0);

      const secrets = [applied, pending, ...(tokens as string[])];
      let haystack: Buffer;
      if (pg) {
        haystack = execFileSync('pg_dump', ['--data-only', pg.url], { maxBuffer: 256 << 20 });
        t.true(haystack.includes('secret.applied'), 'the dump holds the data');
      } else {
        const files = filesUnder(dataDir).filter((f) => !f.endsWith('.key'));
        haystack = Buffer.concat(files.map((f) => readFileSync(f)));
        t.true(haystack.includes('secret.applied'), 'the data directory holds the data');
      }
      for (const secret of secrets)
        t.false(haystack.includes(secret), `${secret.slice(0, 12)}… is readable at rest`);
    } finally {
      await daemon.stop();
      await sink.close();
      await pg?.drop();
    }
  });
}
