import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { argon2Hasher } from '../../plugins/builtin/index.ts';
import { type Actor, LOCAL_ADMIN, type Scope } from '../../src/access/actor.ts';
import { configSchema } from '../../src/config/config-schema.ts';
import { redeemCode } from '../../src/invitations/code-redemption.ts';
import { createCodes } from '../../src/invitations/code-store.ts';
import { createInvitations } from '../../src/invitations/invitation-create.ts';
import { deliverDue } from '../../src/mail/delivery.ts';
import { createMailTransport } from '../../src/mail/transport.ts';
import { createMember } from '../../src/members/member-service.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createOrganization } from '../../src/orgs/organizations.ts';
import { openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { benchPostgresUrl, createPostgresDatabase, type Line } from './bench-databases.ts';
import { linkSealer } from '../../src/invitations/link-sealer.ts';

// `npm run -s bench:invitations`: on each database, N invitations (default 10,000) created through
// the use case (500 addresses per request) and delivered by the outbox worker over SMTP to a real
// smtp-server sink on 127.0.0.1; then invitation code redemption latency with 50 concurrent
// clients, each a member redeeming its own fresh codes. One JSON line per measurement.

const N = Number(process.env.BENCH_INVITATIONS ?? 10_000);
const CLIENTS = 50;
const PER_CLIENT = Number(process.env.BENCH_REDEMPTIONS_PER_CLIENT ?? 20);
const emit = (line: Line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const log = createLogger('silent');
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function run(
  db: 'postgres' | 'pglite',
  url: string | undefined,
  dataDir: string,
  smtpPort: number,
  received: () => number,
): Promise<void> {
  const database = await openDatabase({ url, dataDir });
  try {
    await migrateToLatest(database.knex);
    const knex = database.knex;
    const org = await createOrganization(knex, LOCAL_ADMIN, {
      name: 'Bench',
      slug: `bench-${Date.now()}`,
    });
    const scope: Scope = { orgId: org.id, actor: LOCAL_ADMIN };
    const deps = {
      db: knex,
      hasher: argon2Hasher,
      publicUrl: 'https://id.example.test',
      sources: () => [],
      links: linkSealer(randomBytes(32)),
    };

    const t0 = performance.now();
    for (let start = 0; start < N; start += 500) {
      const emails = Array.from(
        { length: Math.min(500, N - start) },
        (_v, i) => `invitee${start + i}@example.org`,
      );
      await createInvitations(deps, scope, {
        emails,
        role: 'User',
        language: (['en', 'fr', 'de'] as const)[start % 3],
      });
    }
    const created = (performance.now() - t0) / 1000;
    emit({
      bench: 'invitations',
      scenario: 'create',
      db,
      invitations: N,
      seconds: Number(created.toFixed(3)),
      perSecond: Math.round(N / created),
    });

    const transport = createMailTransport(
      configSchema.parse({ mail: { smtp: { host: '127.0.0.1', port: smtpPort } } }),
    );
    const before = received();
    const t1 = performance.now();
    let sent = 0;
    while (sent < N) {
      const n = await deliverDue(
        knex,
        transport,
        {
          from: 'bench <bench@example.test>',
          links: deps.links,
          maxAttempts: 3,
          retryBaseSeconds: 1,
          batchSize: 200,
        },
        log,
      );
      if (n === 0) throw new Error(`delivery stalled after ${sent} mails`);
      sent += n;
    }
    const delivered = (performance.now() - t1) / 1000;
    transport.close();
    emit({
      bench: 'invitations',
      scenario: 'deliver-smtp',
      db,
      mails: sent,
      receivedBySink: received() - before,
      seconds: Number(delivered.toFixed(3)),
      perSecond: Math.round(sent / delivered),
    });

    const members = [];
    for (let i = 0; i < CLIENTS; i++) {
      members.push(
        await createMember(deps, scope, {
          username: `redeemer${i}`,
          email: `redeemer${i}@example.org`,
          firstName: 'R',
          lastName: String(i),
          userType: 'Creator',
          role: 'Viewer',
        }),
      );
    }
    const codes: string[] = [];
    while (codes.length < CLIENTS * PER_CLIENT)
      codes.push(...(await createCodes(knex, scope, { count: 10, roles: ['Publisher'] })).codes);
    const latencies: number[] = [];
    const t2 = performance.now();
    await Promise.all(
      members.map(async (member, c) => {
        const actor: Actor = {
          type: 'member',
          id: member.id,
          label: member.username,
          access: 'editor',
        };
        for (let k = 0; k < PER_CLIENT; k++) {
          const start = performance.now();
          await redeemCode(knex, scope.orgId, {
            memberId: member.id,
            address: `10.0.${c}.1`,
            code: codes[c * PER_CLIENT + k],
            actor,
          });
          latencies.push(performance.now() - start);
        }
      }),
    );
    const wall = (performance.now() - t2) / 1000;
    latencies.sort((a, b) => a - b);
    emit({
      bench: 'invitations',
      scenario: 'redeem-codes',
      db,
      clients: CLIENTS,
      redemptions: latencies.length,
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
      perSecond: Math.round(latencies.length / wall),
    });
  } finally {
    await database.close();
  }
}

const sink = await startSmtpSink();
try {
  for (const db of (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',')) {
    process.stderr.write(`[invitations] ${db}\n`);
    if (db === 'postgres') {
      const pg = await createPostgresDatabase(benchPostgresUrl(), 'invitations');
      if (!pg) continue;
      try {
        await run('postgres', pg.url, 'memory://', sink.port, () => sink.messages.length);
      } finally {
        await pg.drop();
      }
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), 'provisiond-bench-invitations-'));
      try {
        await run('pglite', undefined, dir, sink.port, () => sink.messages.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
} finally {
  await sink.close();
}
