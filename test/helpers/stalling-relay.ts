import type { Socket } from 'node:net';
import { ldapRelay } from './ldap-relay.ts';

// A TCP relay between a daemon and a directory that lets the first connection to bring
// `stallAfterEntries` search entries through pass exactly that many, then holds everything the
// directory sends on that connection until `release()`: a sync run provably stopped in the
// middle of its read, for as long as the test needs. Every other connection, and that one once
// released, passes untouched. The relay reads just enough of the LDAP framing (BER: a SEQUENCE
// tag and its length) to count whole messages; it never changes a byte.

const SEARCH_RESULT_ENTRY = 0x64;

export interface StallingRelay {
  url: string;
  /** Resolves when a connection has been held: its reader waits for the next entry. */
  stalled: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

/** The length of the whole LDAPMessage at the start of `buffer`, or null until it has its header. */
export function messageLength(buffer: Buffer): number | null {
  if (buffer.length < 2) return null;
  const first = buffer[1]!;
  if (first < 0x80) return 2 + first;
  const octets = first & 0x7f;
  if (buffer.length < 2 + octets) return null;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + buffer[2 + i]!;
  return 2 + octets + length;
}

/** The protocolOp's tag: after the SEQUENCE header and the messageID (an INTEGER, short form). */
export function operationTag(message: Buffer): number {
  const first = message[1]!;
  const sequenceHeader = 2 + (first < 0x80 ? 0 : first & 0x7f);
  return message[sequenceHeader + 2 + message[sequenceHeader + 1]!]!;
}

export async function stallingRelay(
  target: { port: number },
  stallAfterEntries: number,
): Promise<StallingRelay> {
  let armed = true;
  let held: { client: Socket; chunks: Buffer[] } | null = null;
  let onStall: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => {
    onStall = resolve;
  });
  const relay = await ldapRelay(target, (client, upstream) => {
    let pending = Buffer.alloc(0);
    let entries = 0;
    let counting = true;
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (data) => {
      if (held?.client === client) {
        held.chunks.push(data);
        return;
      }
      if (!counting || !armed) {
        // What was buffered for counting goes first, whole.
        if (pending.length > 0) client.write(pending);
        pending = Buffer.alloc(0);
        client.write(data);
        return;
      }
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const length = messageLength(pending);
        if (length === null || pending.length < length) return;
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        if (armed && entries === stallAfterEntries) {
          armed = false;
          held = { client, chunks: [message, pending] };
          pending = Buffer.alloc(0);
          onStall();
          return;
        }
        if (operationTag(message) === SEARCH_RESULT_ENTRY) entries += 1;
        client.write(message);
      }
    });
    const stop = () => {
      counting = false;
    };
    client.on('close', stop);
    upstream.on('close', stop);
  });
  return {
    url: relay.url,
    stalled,
    release() {
      armed = false;
      const was = held;
      held = null;
      if (was && !was.client.destroyed) for (const c of was.chunks) was.client.write(c);
    },
    close: relay.close,
  };
}
