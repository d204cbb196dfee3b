import { Command } from 'commander';
import { withClient } from '../cli-context.ts';
import { printJson, printRecord, printTable } from '../output.ts';

// `provisiond sources list|show NAME`: what to register at an identity provider.

interface SourceView {
  name: string;
  type: string;
  [key: string]: unknown;
}

export function sourcesCommand(): Command {
  const sources = new Command('sources').description('identity sources (builtin, saml, oidc) and their sign-in URLs');
  sources.command('list').description('list the configured sources').action(async (_f, command: Command) => {
    await withClient(command, async (client, json) => {
      const page = await client.request<{ items: SourceView[]; total: number }>('GET', '/api/v1/sources');
      if (json) return printJson(page);
      printTable(page.items, [{ header: 'name', value: (s) => s.name }, { header: 'type', value: (s) => s.type }], `${page.total} source(s)`);
    });
  });
  sources.command('show <name>').description('show a source: SAML SP metadata URL and ACS URL, OIDC redirect URL, policy')
    .action(async (name: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const source = await client.request<SourceView>('GET', `/api/v1/sources/${encodeURIComponent(name)}`);
        json ? printJson(source) : printRecord(source);
      });
    });
  return sources;
}
