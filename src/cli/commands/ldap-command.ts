import { Command } from 'commander';
import type { DirectoryEntry } from '../../plugin-api.ts';
import { positiveInt, query, withClient } from '../cli-context.ts';
import { printJson, printTable } from '../output.ts';

export function ldapCommand(): Command {
  const ldap = new Command('ldap').description('look up a directory source');
  ldap
    .command('search <source> <text>')
    .description('users and groups whose name, login or email contains TEXT')
    .option('--limit <n>', 'at most', positiveInt)
    .action(async (name: string, text: string, flags: { limit?: number }, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<{ items: DirectoryEntry[]; total: number }>(
          'GET',
          `/api/v1/sources/${encodeURIComponent(name)}/search${query({ q: text, limit: flags.limit })}`,
        );
        json
          ? printJson(page)
          : printTable(
              page.items,
              [
                { header: 'kind', value: (e) => e.kind },
                { header: 'name', value: (e) => e.name },
                { header: 'email', value: (e) => e.email },
                { header: 'dn', value: (e) => e.dn },
                { header: 'id', value: (e) => e.externalId },
              ],
              `${page.total} entr${page.total === 1 ? 'y' : 'ies'}`,
            );
      });
    });
  return ldap;
}
