import type { Knex } from 'knex';
import { SpanKind } from '@opentelemetry/api';
import { instanceAlive } from '../cluster/instances.ts';
import { inSpan } from '../observability/tracing.ts';
import type { Logger } from '../observability/logger.ts';
import { isNoticeTemplate, renderNotice } from './notice-templates.ts';
import { renderMail } from './templates.ts';
import { type MailSealer, openedMailData } from './outbox.ts';
import type { MailTransport } from './transport.ts';
import type { MailOutboxRow } from '../store/tables/invitations.ts';

// The delivery worker: takes due mails from the outbox, sends them, and records the outcome.
// Claiming moves a mail's next attempt into the future (a lease) under `for update skip locked`,
// and names the process that claimed it, so several daemons on one PostgreSQL never send the same
// mail twice at once, and the mails of a daemon that died are taken over at once (its instance
// lock ended with it) rather than after the lease. A failure is retried with exponential back-off
// until maxAttempts, then marked failed. Each mail is recorded as sent as soon as the SMTP server
// took it, so that a daemon killed mid-round sends again only the mail in flight at that instant;
// its Message-ID is fixed (mail-ID), for a receiver to recognise that one repeat. The link is
// rendered into the body only here, from its sealed form; once sent, the data is cleared.

export interface DeliveryOptions {
  from: string;
  /** Opens the sealed invitation links of the mails' data. */
  links: MailSealer;
  maxAttempts: number;
  retryBaseSeconds: number;
  batchSize?: number;
  /** This process's instance (cluster/instances.ts). */
  instanceId?: string | null;
}

type OutboxRow = Pick<
  MailOutboxRow,
  'id' | 'recipient' | 'template' | 'language' | 'data' | 'attempts'
>;

const LEASE_MS = 5 * 60_000;

/** The wait before attempt n+1 after n failed attempts: base·2^(n-1), at most a day. */
export function backoffMs(failedAttempts: number, baseSeconds: number): number {
  return Math.min(baseSeconds * 1000 * 2 ** Math.max(0, failedAttempts - 1), 86_400_000);
}

async function claim(
  db: Knex,
  limit: number,
  now: Date,
  instanceId: string | null,
): Promise<OutboxRow[]> {
  return db.transaction(async (trx) => {
    const rows = await trx('mail_outbox')
      .where('status', 'queued')
      .andWhere((due) =>
        due
          .where('next_attempt_at', '<=', now)
          .orWhere((orphaned) =>
            orphaned
              .whereNotNull('claimed_by')
              .andWhereRaw(`not ${instanceAlive('mail_outbox.claimed_by')}`),
          ),
      )
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .select('id', 'recipient', 'template', 'language', 'data', 'attempts');
    if (rows.length > 0) {
      await trx('mail_outbox')
        .whereIn(
          'id',
          rows.map((r) => r.id),
        )
        .update({ next_attempt_at: new Date(now.getTime() + LEASE_MS), claimed_by: instanceId });
    }
    return rows;
  });
}

/** Sends what is due now; returns how many mails were sent. */
export async function deliverDue(
  db: Knex,
  transport: MailTransport,
  options: DeliveryOptions,
  log: Logger,
  now = new Date(),
): Promise<number> {
  const rows = await claim(db, options.batchSize ?? 50, now, options.instanceId ?? null);
  const outcomes = await Promise.all(
    rows.map(async (row) => {
      try {
        // Only a sent mail's data is cleared; a queued one always has it.
        if (!row.data) throw new Error('the queued mail has no data');
        const data = openedMailData(row.data, options.links);
        if (!data)
          throw new Error('the invitation link was sealed under another key (invitations.linkKey)');
        await inSpan(
          'mail.send',
          { 'provisiond.mail_id': row.id, 'provisiond.mail.template': row.template },
          () =>
            transport.send({
              id: `mail-${row.id}`,
              to: row.recipient,
              from: options.from,
              ...(isNoticeTemplate(row.template)
                ? renderNotice(row.template, row.language, data)
                : renderMail(row.template, row.language, data)),
            }),
          SpanKind.CLIENT,
        );
      } catch (error) {
        const attempts = row.attempts + 1;
        const failed = attempts >= options.maxAttempts;
        const reason = (error as Error).message.slice(0, 500);
        await db('mail_outbox')
          .where('id', row.id)
          .update({
            attempts,
            last_error: reason,
            status: failed ? 'failed' : 'queued',
            next_attempt_at: new Date(Date.now() + backoffMs(attempts, options.retryBaseSeconds)),
            claimed_by: null,
            ...(failed && { data: null }),
          });
        // The recipient and the reason, never the body: it carries the invitation link.
        log.warn(
          { mailId: row.id, attempts, failed, reason },
          failed ? 'mail given up' : 'mail delivery failed; will retry',
        );
        return null;
      }
      await db('mail_outbox')
        .where('id', row.id)
        .update({
          status: 'sent',
          sent_at: new Date(),
          attempts: db.raw('attempts + 1'),
          data: null,
          last_error: null,
          claimed_by: null,
        });
      return row.id;
    }),
  );
  return outcomes.filter((id) => id !== null).length;
}

export interface MailWorker {
  stop(): Promise<void>;
}

export function startMailWorker(
  db: Knex,
  transport: MailTransport,
  options: DeliveryOptions & { pollSeconds: number },
  log: Logger,
): MailWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<unknown> = Promise.resolve();
  const tick = () => {
    current = (async () => {
      try {
        // Keep going while full batches come back, so that a burst drains without waiting a poll.
        while (
          !stopped &&
          (await deliverDue(db, transport, options, log)) >= (options.batchSize ?? 50)
        );
      } catch (error) {
        if (!stopped) log.error({ err: error }, 'mail delivery round failed');
      }
      if (!stopped) timer = setTimeout(tick, options.pollSeconds * 1000);
    })();
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
      transport.close();
    },
  };
}
