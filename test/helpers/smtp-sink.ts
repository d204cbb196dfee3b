import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A real SMTP server on 127.0.0.1 that keeps every message it accepts (raw), and can refuse the
// next N recipients with a temporary error, to exercise the delivery worker's retries. It can also
// take N more messages and then hold the answer to each further one until released: a sender
// provably in the middle of a batch. A held message is kept only if its answer can still be sent
// then; one whose client went away meanwhile never got its 250, so the sender still owns it
// (RFC 5321, 4.1.1.4 and 6.1: the server takes responsibility with the 250 reply).

export interface SmtpSink {
  port: number;
  messages: Array<{ to: string[]; raw: string }>;
  refuseNext(n: number): void;
  /** Takes `n` more messages, then holds every further one unanswered until release(). */
  stallAfter(n: number): void;
  /** The raw messages held unanswered, and whether their client is still connected. */
  held(): Array<{ raw: string; connected: boolean }>;
  /** Answers the held messages: those whose client is still there are taken, the others dropped. */
  release(): void;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** The first message to `address` from the `after`-th on, decoded (quoted-printable, UTF-8); waits for it. */
  mailTo(address: string, after?: number): Promise<string>;
  close(): Promise<void>;
}

/** A daemon configuration that sends its mail to the sink, quickly. */
export function sinkConfig(
  sink: Pick<SmtpSink, 'port'>,
  organization: string,
  from: string,
): string {
  return `organization:
  name: ${organization}
mail:
  from: ${from}
  smtp: { host: 127.0.0.1, port: ${sink.port} }
  pollSeconds: 0.1
`;
}

const decoded = (raw: string) =>
  Buffer.from(
    raw
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SmtpSink['messages'] = [];
  let refusals = 0;
  let untilStall = Number.POSITIVE_INFINITY;
  const closed = new Set<string>();
  let holding: Array<{ session: string; message: SmtpSink['messages'][number]; answer(): void }> =
    [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onClose(session) {
      closed.add(session.id);
    },
    onRcptTo(_address, _session, callback) {
      if (refusals > 0) {
        refusals -= 1;
        callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const message = {
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        if (untilStall <= 0) {
          holding.push({ session: session.id, message, answer: () => callback() });
          return;
        }
        untilStall -= 1;
        messages.push(message);
        callback();
      });
    },
  });
  // A client that goes away in the middle of a message (a sender killed) is the sender's failure,
  // not the sink's: smtp-server reports it as an error event, which would otherwise be uncaught.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    refuseNext(n) {
      refusals = n;
    },
    stallAfter(n) {
      untilStall = n;
    },
    held: () => holding.map((h) => ({ raw: h.message.raw, connected: !closed.has(h.session) })),
    release() {
      untilStall = Number.POSITIVE_INFINITY;
      const answering = holding;
      holding = [];
      for (const h of answering) {
        if (!closed.has(h.session)) messages.push(h.message);
        h.answer();
      }
    },
    async waitFor(count, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until)
          throw new Error(`the SMTP sink got ${messages.length} of ${count} messages`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async mailTo(address, after = 0) {
      const until = Date.now() + 30_000;
      for (;;) {
        const found = messages.slice(after).find((m) => m.to.includes(address));
        if (found) return decoded(found.raw);
        if (Date.now() > until) throw new Error(`no mail to ${address}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
