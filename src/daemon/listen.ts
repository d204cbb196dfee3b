import type { Server } from 'node:http';

/** Resolves once `server` listens on `target`; rejects with the listen error (EADDRINUSE…). */
export function listen(
  server: Server,
  target: { port: number; host: string } | { path: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(target, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
