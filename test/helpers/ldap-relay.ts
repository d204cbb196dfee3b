import { createConnection, createServer, type Socket } from 'node:net';

// A TCP relay between a client and a directory on 127.0.0.1, the base of the test relays: each
// connection opens one to the directory, `relay` wires what passes between the two, and either
// side's end ends both. Closing the relay cuts every connection.

export interface LdapRelay {
  url: string;
  close(): Promise<void>;
}

export async function ldapRelay(
  target: { port: number },
  relay: (client: Socket, upstream: Socket) => void,
): Promise<LdapRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target.port });
    sockets.add(client).add(upstream);
    relay(client, upstream);
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
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
