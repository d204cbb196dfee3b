import { Command } from 'commander';
import type { RunChange } from '../../sync/run-changes.ts';
import type { SyncRun } from '../../sync/sync-runs.ts';
import { positiveInt, query, withClient } from '../cli-context.ts';
import { printJson, printTable } from '../output.ts';
import { printRun, runColumns } from './run-output.ts';
import { counted } from '../../counted.ts';

export function runsCommand(): Command {
  const runs = new Command('runs').description('sync runs, newest first');
  runs
    .command('list')
    .description('list runs')
    .option('--source <name>', 'only this source')
    .option('--limit <n>', 'how many', positiveInt)
    .action(async (flags: { source?: string; limit?: number }, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<{ items: SyncRun[]; total: number }>(
          'GET',
          `/api/v1/runs${query({ source: flags.source, limit: flags.limit })}`,
        );
        json ? printJson(page) : printTable(page.items, runColumns, counted(page.total, 'run'));
      });
    });
  runs
    .command('show <run>')
    .description('one run with its counts and first changes; --changes for every change')
    .option(
      '--changes',
      'every change of the run, by login, with attribute changes (paged through)',
    )
    .option('--csv', 'with --changes: as CSV')
    .action(async (id: string, flags: { changes?: boolean; csv?: boolean }, command: Command) => {
      await withClient(command, async (client, json) => {
        const path = `/api/v1/runs/${encodeURIComponent(id)}`;
        if (!flags.changes) {
          const run = await client.request<SyncRun>('GET', path);
          json ? printJson(run) : printRun(run);
          return;
        }
        if (flags.csv) {
          process.stdout.write(await client.text(`${path}/changes?format=csv`));
          return;
        }
        // Page by page, so that a run of 100,000 changes is never held whole.
        let page = 1;
        let total = 0;
        if (json) process.stdout.write(`{"run":${JSON.stringify(id)},"items":[`);
        for (;;) {
          const part = await client.request<{ items: RunChange[]; total: number }>(
            'GET',
            `${path}/changes${query({ page, pageSize: 5000 })}`,
          );
          part.items.forEach((c, i) => {
            if (json) process.stdout.write(`${total + i > 0 ? ',' : ''}\n${JSON.stringify(c)}`);
            else
              process.stdout.write(
                `${c.action.padEnd(18)} ${c.login}${c.detail ? `  (${c.detail})` : ''}${c.attributes.map((a) => `\n${' '.repeat(21)}${a.field}: ${a.before ?? '∅'} → ${a.after ?? '∅'}`).join('')}\n`,
              );
          });
          total += part.items.length;
          if (part.items.length === 0 || total >= part.total) break;
          page += 1;
        }
        if (json) process.stdout.write(`\n],"total":${total}}\n`);
      });
    });
  return runs;
}
