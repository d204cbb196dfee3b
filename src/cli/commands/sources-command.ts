import { Command } from 'commander';
import type { SourceTestResult } from '../../plugin-api.ts';
import type { SourceSummary } from '../../sync/source-admin.ts';
import { withClient } from '../cli-context.ts';
import { printJson, printRecord, printTable } from '../output.ts';

// `provisiond sources list|show|test`: what is configured, what to register at an identity
// provider (sign-in URLs), and whether a directory answers.

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
          ],
          `${page.total} source(s)`,
        );
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
