import { createConnection, createServer, type Socket } from 'node:net';
import { messageLength, operationTag } from './stalling-relay.ts';

// A TCP relay between a client and a directory that counts the search requests the client sends,
// and passes every byte untouched: how many pages a paged search has asked for at a given moment.

const SEARCH_REQUEST = 0x63;

export interface CountingRelay {
  url: string;
  /** Search requests sent through the relay so far. */
  readonly searches: number;
  close(): Promise<void>;
}

export async function countingRelay(target: { port: number }): Promise<CountingRelay> {
  const sockets = new Set<Socket>();
  let searches = 0;
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target.port });
    sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    client.on('data', (data) => {
      upstream.write(data);
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const length = messageLength(pending);
        if (length === null || pending.length < length) return;
        if (operationTag(pending.subarray(0, length)) === SEARCH_REQUEST) searches += 1;
        pending = pending.subarray(length);
      }
    });
    upstream.on('data', (data) => client.write(data));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ldap://127.0.0.1:${port}`,
    get searches() {
      return searches;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
