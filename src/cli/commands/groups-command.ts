import { Command } from 'commander';
import type { Group } from '../../groups/groups.ts';
import type { Member } from '../../members/member-record.ts';
import type { Page } from '../../members/member-listing.ts';
import { positiveInt, query, withClient } from '../cli-context.ts';
import { type Column, printJson, printRecord, printTable } from '../output.ts';
import { memberColumns } from './members-command.ts';
import { counted } from '../../counted.ts';

const columns: Column<Group>[] = [
  { header: 'name', value: (g) => g.name },
  { header: 'members', value: (g) => g.memberCount },
  { header: 'description', value: (g) => g.description },
  { header: 'id', value: (g) => g.id },
];

const path = (ref: string) => `/api/v1/groups/${encodeURIComponent(ref)}`;
const show = (group: Group, json: boolean) => (json ? printJson(group) : printRecord({ ...group }));

export function groupsCommand(): Command {
  const groups = new Command('groups').description('groups of the organization and their members');
  groups
    .command('list')
    .description('list groups')
    .option('--search <text>', 'substring of the name')
    .option('--page <n>', 'page', positiveInt)
    .option('--page-size <n>', 'per page', positiveInt)
    .action(async (flags, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<Page<Group>>(
          'GET',
          `/api/v1/groups${query({ search: flags.search, page: flags.page, pageSize: flags.pageSize })}`,
        );
        if (json) return printJson(page);
        printTable(page.items, columns, counted(page.total, 'group'));
      });
    });
  groups
    .command('create <name>')
    .description('create a group')
    .option('--description <text>', 'description')
    .action(async (name: string, flags: { description?: string }, command: Command) => {
      await withClient(command, async (client, json) =>
        show(
          await client.request<Group>('POST', '/api/v1/groups', {
            name,
            description: flags.description,
          }),
          json,
        ),
      );
    });
  groups
    .command('show <group>')
    .description('show a group (id or name)')
    .action(async (ref: string, _f, command: Command) => {
      await withClient(command, async (client, json) =>
        show(await client.request<Group>('GET', path(ref)), json),
      );
    });
  groups
    .command('update <group>')
    .description('rename or describe a group')
    .option('--name <name>', 'new name')
    .option('--description <text>', 'description')
    .action(
      async (ref: string, flags: { name?: string; description?: string }, command: Command) => {
        await withClient(command, async (client, json) =>
          show(await client.request<Group>('PATCH', path(ref), flags), json),
        );
      },
    );
  groups
    .command('delete <group>')
    .description('delete a group (its members stay in the organization)')
    .action(async (ref: string, _f, command: Command) => {
      await withClient(command, async (client, json) =>
        show(await client.request<Group>('DELETE', path(ref)), json),
      );
    });
  groups
    .command('members <group>')
    .description('list the members of a group')
    .option('--page <n>', 'page', positiveInt)
    .option('--page-size <n>', 'per page', positiveInt)
    .action(async (ref: string, flags, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<Page<Member>>(
          'GET',
          `${path(ref)}/members${query({ page: flags.page, pageSize: flags.pageSize })}`,
        );
        if (json) return printJson(page);
        printTable(page.items, memberColumns, counted(page.total, 'member'));
      });
    });
  groups
    .command('add <group> <member>')
    .description('add a member to a group')
    .action(async (ref: string, member: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const result = await client.request<{ added: boolean }>(
          'PUT',
          `${path(ref)}/members/${encodeURIComponent(member)}`,
        );
        json
          ? printJson(result)
          : process.stdout.write(
              result.added ? `added ${member} to ${ref}\n` : `${member} was already in ${ref}\n`,
            );
      });
    });
  groups
    .command('remove <group> <member>')
    .description('remove a member from a group')
    .action(async (ref: string, member: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const result = await client.request<{ removed: boolean }>(
          'DELETE',
          `${path(ref)}/members/${encodeURIComponent(member)}`,
        );
        json
          ? printJson(result)
          : process.stdout.write(
              result.removed ? `removed ${member} from ${ref}\n` : `${member} was not in ${ref}\n`,
            );
      });
    });
  return groups;
}
