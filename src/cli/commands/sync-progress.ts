import type { SyncRun } from '../../sync/sync-runs.ts';
import type { ApiClient } from '../api-client.ts';
import { counted } from '../../counted.ts';

// On a terminal, a line on stderr that follows the running run (the engine records its counts
// after every batch); nothing when stderr is not a TTY, so scripts and logs stay clean.

const WIDTH = 24;

export function watchProgress(client: ApiClient, source: string): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const started = Date.now();
  let frame = 0;
  let line = 'connecting to the directory…';
  const draw = () => {
    frame += 1;
    const pos = frame % WIDTH;
    const bar = `${' '.repeat(pos)}###${' '.repeat(WIDTH - pos)}`.slice(0, WIDTH);
    process.stderr.write(`\r[${bar}] ${((Date.now() - started) / 1000).toFixed(0)}s ${line}\x1b[K`);
  };
  const poll = async () => {
    try {
      const { items } = await client.request<{ items: SyncRun[] }>(
        'GET',
        `/api/v1/runs?source=${encodeURIComponent(source)}&limit=1`,
      );
      const run = items[0];
      if (run?.status === 'running') {
        const done =
          run.counts.created +
          run.counts.updated +
          run.counts.unchanged +
          run.counts.linked +
          run.counts.errors +
          run.counts.disputed;
        line = `${counted(done, 'user')} processed, ${run.counts.created} created, ${run.counts.updated} updated`;
      }
    } catch {
      // Progress is a courtesy: a failed poll leaves the last line on screen.
    }
  };
  const spinner = setInterval(draw, 120);
  const poller = setInterval(() => void poll(), 1000);
  return () => {
    clearInterval(spinner);
    clearInterval(poller);
    process.stderr.write('\r\x1b[K');
  };
}
