import { Command } from 'commander';
import type { SourceTestResult } from '../../plugin-api.ts';
import type { SourceSummary } from '../../sync/source-admin.ts';
import type { SourceHealth } from '../../sync/source-health.ts';
import { withClient } from '../cli-context.ts';
import { printJson, printRecord, printTable } from '../output.ts';
import { counted } from '../../counted.ts';

// `provisiond sources list|show|test|resume`: what is configured, what to register at an identity
// provider (sign-in URLs), whether a directory answers,
// and the health of each (held runs, back-off, quarantine).

function healthLine(s: SourceSummary): string {
  const h = s.health;
  if (h.state === 'healthy')
    return h.failures > 0 ? `ok (${counted(h.failures, 'failure')})` : 'ok';
  const error = h.lastError
    ? `: ${h.lastErrorCode ? `${h.lastErrorCode} ` : ''}${h.lastError}`
    : '';
  return h.state === 'quarantined'
    ? `QUARANTINED after ${counted(h.failures, 'failure')}${error}`
    : `backing off until ${h.retryAfter} (${counted(h.failures, 'failure')})${error}`;
}

export function sourcesCommand(): Command {
  const sources = new Command('sources').description('the identity sources of the configuration');
  sources
    .command('list')
    .description('list sources, their schedule and last run')
    .action(async (_f, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<{ items: SourceSummary[]; total: number }>(
          'GET',
          '/api/v1/sources',
        );
        if (json) return printJson(page);
        printTable(
          page.items,
          [
            { header: 'name', value: (s) => s.name },
            { header: 'type', value: (s) => (s.flavor ? `${s.type} (${s.flavor})` : s.type) },
            { header: 'url', value: (s) => s.url },
            { header: 'schedule', value: (s) => (s.schedule ? JSON.stringify(s.schedule) : '') },
            {
              header: 'last run',
              value: (s) => (s.lastRun ? `${s.lastRun.status} ${s.lastRun.startedAt}` : 'never'),
            },
            { header: 'health', value: (s) => healthLine(s) },
          ],
          counted(page.total, 'source'),
        );
        for (const s of page.items) {
          if (s.heldRun)
            process.stdout.write(
              `${s.name}: run ${s.heldRun.id} is held with ${counted(s.heldRun.removals, 'removal')}; later runs remove nobody until "provisiond sync approve ${s.heldRun.id}" or "provisiond sync reject ${s.heldRun.id}"\n`,
            );
          if (s.health.state === 'quarantined')
            process.stdout.write(
              `${s.name}: quarantined since ${s.health.quarantinedAt}; "provisiond sources resume ${s.name}" once fixed\n`,
            );
        }
      });
    });
  sources
    .command('resume <name>')
    .description('lift a quarantine (and the back-off): the schedule runs the source again')
    .action(async (name: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const result = await client.request<{ source: string; health: SourceHealth }>(
          'POST',
          `/api/v1/sources/${encodeURIComponent(name)}/resume`,
        );
        json
          ? printJson(result)
          : process.stdout.write(`${name}: ${result.health.state}; the schedule runs it again\n`);
      });
    });
  sources
    .command('show <name>')
    .description('show a source: SAML SP metadata URL and ACS URL, OIDC redirect URL, policy')
    .action(async (name: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const source = await client.request<Record<string, unknown>>(
          'GET',
          `/api/v1/sources/${encodeURIComponent(name)}`,
        );
        json ? printJson(source) : printRecord(source);
      });
    });
  sources
    .command('test <source>')
    .description('bind to the source and read one entry')
    .action(async (name: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const result = await client.request<SourceTestResult>(
          'POST',
          `/api/v1/sources/${encodeURIComponent(name)}/test`,
        );
        json
          ? printJson(result)
          : process.stdout.write(`${result.ok ? 'ok' : 'FAILED'}: ${result.message}\n`);
        if (!result.ok) process.exitCode = 1;
      });
    });
  return sources;
}
