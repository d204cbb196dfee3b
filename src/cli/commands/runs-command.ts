import { Command } from 'commander';
import type { SyncRun } from '../../sync/sync-runs.ts';
import { positiveInt, query, withClient } from '../cli-context.ts';
import { printJson, printTable } from '../output.ts';
import { printRun, runColumns } from './run-output.ts';

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
        json ? printJson(page) : printTable(page.items, runColumns, `${page.total} run(s)`);
      });
    });
  runs
    .command('show <run>')
    .description('one run with its counts and first changes')
    .action(async (id: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const run = await client.request<SyncRun>('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
        json ? printJson(run) : printRun(run);
      });
    });
  return runs;
}
