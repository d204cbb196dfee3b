import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A real SMTP server on 127.0.0.1 that keeps every message it accepts (raw), and can refuse the
// next N recipients with a temporary error, to exercise the delivery worker's retries.

export interface SmtpSink {
  port: number;
  messages: Array<{ to: string[]; raw: string }>;
  refuseNext(n: number): void;
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
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
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
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    refuseNext(n) {
      refusals = n;
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
