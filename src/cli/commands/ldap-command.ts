import { Command } from 'commander';
import type { DirectoryEntry } from '../../plugin-api.ts';
import { positiveInt, query, withClient } from '../cli-context.ts';
import type { GroupAddReport, ProvisionReport } from '../../sync/one-record.ts';
import { printJson, printTable } from '../output.ts';
import { printProvision } from './run-output.ts';
import { counted } from '../../counted.ts';

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
  ldap
    .command('add <source>')
    .description(
      'add one directory user (--user) or the members of one directory group (--group), exactly as a sync would',
    )
    .option('--user <login>', 'the login of the user (as `ldap search` shows it)')
    .option('--group <name>', 'the group name or DN (nested groups as the source reads them)')
    .action(async (name: string, flags: { user?: string; group?: string }, command: Command) => {
      await withClient(command, async (client, json) => {
        const result = await client.request<ProvisionReport | GroupAddReport>(
          'POST',
          `/api/v1/sources/${encodeURIComponent(name)}/add`,
          { login: flags.user, group: flags.group },
        );
        if (json) return printJson(result);
        if ('steps' in result) return printProvision(result);
        const changed = Object.entries(result.counts)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ');
        process.stdout.write(
          `${result.group} (${result.dn}): ${counted(result.members.length, 'member')} in scope; ${changed || 'nothing to change'}\n`,
        );
        for (const s of result.skipped)
          process.stdout.write(`  skipped ${s.member}: ${s.reason}\n`);
      });
    });
  return ldap;
}
