import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config/config-schema.ts';
import { openContext } from '../daemon/open-context.ts';
import type { OpenStore } from '../daemon/open-store.ts';
import { databaseLabel } from '../daemon/startup-errors.ts';
import { createApp } from '../http/app.ts';

// With no daemon of its database answering, the CLI opens the database itself and serves the
// admin API on a private socket for the length of one command.

function listenOn(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
}

export async function serveInProcess(
  config: Config,
  store: OpenStore,
): Promise<{ socketPath: string; close(): Promise<void> }> {
  const opened = await openContext(config, 'cli', store);
  // Said on stderr so that --json output stays clean: which database the answer comes from.
  process.stderr.write(
    `provisiond: ${config.database.url ? '' : 'no daemon is running; '}opened ${databaseLabel(config)}\n`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'provisiond-cli-'));
  const socketPath = path.join(dir, 'api.sock');
  let server: Server;
  try {
    server = createServer(await createApp(opened.ctx, 'local', 'on-first-use'));
    await listenOn(server, socketPath);
  } catch (error) {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    socketPath,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
      await opened.close();
    },
  };
}
