import path from 'node:path';

/** The daemon's local socket on the embedded database, which the CLI talks through. */
export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, 'provisiond.sock');
}
