import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createServer, type RequestListener, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { Config } from '../config/config-schema.ts';
import { createApp, createMetricsApp } from '../http/app.ts';
import { listenForRevocations } from '../keys/key-revocation.ts';
import { openContext, type OpenedContext } from './open-context.ts';
import { controlSocketPath } from './control-socket.ts';
import { startScheduler } from './scheduler.ts';
import { startHousekeeping } from './housekeeping.ts';
import { startTracing, traceQueries } from '../observability/tracing.ts';
import { startMailWorker } from '../mail/delivery.ts';
import { listen } from './listen.ts';
import type { OpenStore } from './open-store.ts';
import { createMailTransport } from '../mail/transport.ts';

export interface RunningDaemon {
  url: string;
  socketPath: string | null;
  opened: OpenedContext;
  stop(): Promise<void>;
}

/** Listens on a Unix socket only the daemon's owner may use (mode 0600). */
async function listenOnSocket(server: Server, socketPath: string): Promise<void> {
  const previous = process.umask(0o177);
  try {
    await listen(server, { path: socketPath });
  } finally {
    process.umask(previous);
  }
  chmodSync(socketPath, 0o600);
}

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * On PostgreSQL several daemons may share a data directory and a database: the first one to start
 * answers the CLI, and a socket left by one that died is taken over. Null when another answers.
 */
async function shareSocket(server: Server, socketPath: string): Promise<string | null> {
  mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  if (await socketAnswers(socketPath)) return null;
  rmSync(socketPath, { force: true });
  await listenOnSocket(server, socketPath);
  return socketPath;
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Runs the daemon on its opened store: attaches the app to the TCP server, which answered
 * `starting` until now, and starts the local control socket the CLI talks through (a Unix socket
 * in the data directory, mode 0600: only the daemon's owner can use it). On PostgreSQL a daemon
 * that cannot make the socket starts without it; the CLI then opens the database itself.
 */
export async function runDaemon(
  config: Config,
  tcp: Server,
  store: OpenStore,
  starting: RequestListener,
): Promise<RunningDaemon> {
  const embedded = !config.database.url && config.database.dataDir !== 'memory://';
  let tracing: Awaited<ReturnType<typeof startTracing>>;
  let opened: OpenedContext;
  try {
    tracing = await startTracing(config.tracing);
  } catch (error) {
    tcp.close();
    await store.close();
    throw error;
  }
  try {
    opened = await openContext(config, 'daemon', store);
  } catch (error) {
    tcp.close();
    await tracing.shutdown();
    throw error;
  }
  traceQueries(opened.ctx.database.knex, 'postgresql');
  const { ctx } = opened;
  let local: Server | null = null;
  let management: Server | null = null;
  let socketPath: string | null = null;
  try {
    const bound = tcp.address() as AddressInfo;
    if (!config.server.publicUrl)
      ctx.publicUrl = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
    // The app is built before the "starting" answer is taken away: a request in between would
    // find no listener and never be answered.
    const app = await createApp(ctx, 'tcp');
    tcp.off('request', starting);
    tcp.on('request', app);
    if (config.metrics.port !== undefined) {
      management = createServer(createMetricsApp(ctx));
      await listen(management, { port: config.metrics.port, host: config.metrics.host });
    }
    const localPath = controlSocketPath(config.database);
    if (embedded && localPath) {
      // The data directory's lock makes the socket this daemon's: one left behind is stale.
      rmSync(localPath, { force: true });
      local = createServer(await createApp(ctx, 'local'));
      await listenOnSocket(local, localPath);
      socketPath = localPath;
    } else if (localPath) {
      const shared = createServer(await createApp(ctx, 'local'));
      socketPath = await shareSocket(shared, localPath).catch((error: unknown) => {
        ctx.log.info(
          { err: error, socket: localPath },
          'no local socket: the CLI on this machine opens the database itself',
        );
        return null;
      });
      if (socketPath) local = shared;
    }
  } catch (error) {
    tcp.close();
    management?.close();
    await opened.close();
    throw error;
  }
  const scheduler = startScheduler(ctx);
  const housekeeping = startHousekeeping(ctx);
  const revocations = config.database.url
    ? listenForRevocations(config.database.url, ctx.log)
    : null;
  const mail = startMailWorker(
    ctx.database.knex,
    createMailTransport(config),
    { ...config.mail, instanceId: ctx.instanceId, links: ctx.links },
    ctx.log,
  );
  const address = tcp.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  ctx.log.info(
    {
      url,
      database: ctx.database.kind,
      dataDir: ctx.database.kind === 'pglite' ? config.database.dataDir : undefined,
      migrationsApplied: opened.appliedMigrations.length,
      metricsUrl: management
        ? `http://${config.metrics.host}:${(management.address() as AddressInfo).port}/metrics`
        : undefined,
    },
    'provisiond started',
  );

  let stopping: Promise<void> | null = null;
  return {
    url,
    socketPath,
    opened,
    stop() {
      stopping ??= (async () => {
        ctx.log.info('provisiond stopping');
        const graceMs = config.server.shutdownGraceSeconds * 1000;
        await Promise.all([
          closeServer(tcp, graceMs),
          local ? closeServer(local, graceMs) : Promise.resolve(),
          management ? closeServer(management, graceMs) : Promise.resolve(),
          scheduler.stop(graceMs),
          mail.stop(),
          revocations ? revocations.close() : Promise.resolve(),
          housekeeping.stop(),
        ]);
        if (socketPath) rmSync(socketPath, { force: true });
        await opened.close();
        await tracing.shutdown();
        ctx.log.info('provisiond stopped');
      })();
      return stopping;
    },
  };
}
