import { Command } from 'commander';
import type { SyncRun } from '../../sync/sync-runs.ts';
import type { ApiClient } from '../api-client.ts';
import { withClient } from '../cli-context.ts';
import { printJson } from '../output.ts';
import { printProvision, printRun } from './run-output.ts';
import type { ProvisionReport } from '../../sync/one-record.ts';
import { watchProgress } from './sync-progress.ts';

const source = (name: string) => `/api/v1/sources/${encodeURIComponent(name)}`;
const run = (id: string) => `/api/v1/runs/${encodeURIComponent(id)}`;

function finish(result: SyncRun, json: boolean): void {
  if (json) printJson(result);
  else printRun(result);
  if (result.status === 'failed') process.exitCode = 1;
}

async function decide(
  client: ApiClient,
  id: string,
  decision: 'approve' | 'reject',
  json: boolean,
): Promise<void> {
  const result = await client.request<SyncRun>('POST', `${run(id)}/${decision}`);
  json ? printJson(result) : printRun(result);
}

export function syncCommand(): Command {
  const sync = new Command('sync')
    .description(
      'sync a directory source (incremental when it can, --full for a full reconciliation)',
    )
    .argument('<source>', 'the source name in the configuration')
    .option('--full', 'full reconciliation (reads everything; the only run that detects deletions)')
    .option('--preview', 'compute and show the plan, write nothing')
    .option('--user <login>', 'provision one directory user on demand, explaining each step')
    .action(
      async (
        name: string,
        flags: { full?: boolean; preview?: boolean; user?: string },
        command: Command,
      ) => {
        await withClient(command, async (client, json) => {
          if (flags.user !== undefined) {
            const report = await client.request<ProvisionReport>(
              'POST',
              `${source(name)}/provision`,
              { login: flags.user, preview: flags.preview ?? false },
            );
            json ? printJson(report) : printProvision(report);
            return;
          }
          const body = {
            mode: flags.full ? 'full' : 'incremental',
            preview: flags.preview ?? false,
          };
          const stop = json || flags.preview ? () => undefined : watchProgress(client, name);
          try {
            finish(await client.request<SyncRun>('POST', `${source(name)}/runs`, body), json);
          } finally {
            stop();
          }
        });
      },
    );
  sync
    .command('approve <run>')
    .description('apply the disables and deletions a held run showed')
    .action(async (id: string, _f, command: Command) => {
      await withClient(command, (client, json) => decide(client, id, 'approve', json));
    });
  sync
    .command('reject <run>')
    .description('drop the disables and deletions of a held run')
    .action(async (id: string, _f, command: Command) => {
      await withClient(command, (client, json) => decide(client, id, 'reject', json));
    });
  return sync;
}
