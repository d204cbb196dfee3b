import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Config } from '../config/config-schema.ts';
import { listen } from './listen.ts';
import { openStore } from './open-store.ts';
import type { RunningDaemon } from './run-daemon.ts';
import { assertDataDirWritable, listenError } from './startup-errors.ts';

/**
 * What the TCP server answers while the database opens and migrates: 503 with Retry-After, so
 * a probe or a client that connects early gets an answer instead of a request that hangs.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4
 */
function answerStarting(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
  res.end(JSON.stringify({ status: 'starting' }));
}

/**
 * Starts the daemon. This module and what it imports are few: the database begins to open (the
 * embedded one in a thread of its own) before the rest of the daemon is loaded, and the two take
 * about as long, so on two cores a restart waits for the longer of them instead of both.
 */
export async function startDaemon(config: Config): Promise<RunningDaemon> {
  const embedded = !config.database.url && config.database.dataDir !== 'memory://';
  // What can be checked without creating anything comes first: a refused start leaves no data
  // directory, database or key file behind.
  if (embedded) assertDataDirWritable(config.database.dataDir);
  // The app is attached once the address is known: without server.publicUrl, the public URL of
  // the sign-in endpoints is where the daemon actually listens (port 0 picks one).
  const tcp = createServer(answerStarting);
  tcp.keepAliveTimeout = 65_000;
  await listen(tcp, { port: config.server.port, host: config.server.host }).catch(
    (error: unknown) => {
      throw listenError(config, error);
    },
  );
  const [loaded, opened] = await Promise.allSettled([
    Promise.all([
      import('./run-daemon.ts'),
      import('../http/app.ts').then((app) => app.importRoutes()),
    ]).then(([daemon]) => daemon),
    openStore(config, 'daemon'),
  ]);
  if (loaded.status === 'rejected') {
    tcp.close();
    if (opened.status === 'fulfilled') await opened.value.close();
    throw loaded.reason;
  }
  if (opened.status === 'rejected') {
    tcp.close();
    throw opened.reason;
  }
  return loaded.value.runDaemon(config, tcp, opened.value, answerStarting);
}
