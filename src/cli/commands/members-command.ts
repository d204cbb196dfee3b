import { Command, Option } from 'commander';
import type { Member } from '../../members/member-record.ts';
import type { Page } from '../../members/member-listing.ts';
import {
  list,
  nonNegativeNumber,
  positiveInt,
  query,
  readStdin,
  withClient,
} from '../cli-context.ts';
import { type Column, printJson, printRecord, printTable } from '../output.ts';
import type { License } from '../../licenses/license-service.ts';
import { usageLine } from './licenses-command.ts';
import { counted } from '../../counted.ts';

export const memberColumns: Column<Member>[] = [
  { header: 'username', value: (m) => m.username },
  { header: 'name', value: (m) => m.displayName },
  { header: 'email', value: (m) => m.email },
  { header: 'user type', value: (m) => m.userType.name },
  { header: 'role', value: (m) => m.role.name },
  { header: 'licences', value: (m) => m.licenses },
  { header: 'status', value: (m) => m.status },
  { header: 'last sign-in', value: (m) => m.lastSignInAt ?? 'not signed in yet' },
  { header: 'id', value: (m) => m.id },
];

function printMember(member: Member, json: boolean): void {
  if (json) {
    printJson(member);
    return;
  }
  printRecord({
    id: member.id,
    username: member.username,
    email: member.email,
    name: member.displayName,
    'first name': member.firstName,
    'last name': member.lastName,
    description: member.description,
    'user type': member.userType.name,
    role: member.role.parameter
      ? `${member.role.name} (${member.role.parameter})`
      : member.role.name,
    'other roles': member.additionalRoles.map((r) =>
      r.parameter ? `${r.name} (${r.parameter})` : r.name,
    ),
    status: member.status,
    source: member.source,
    groups: member.groups.map((g) => g.name),
    licenses: member.licenses,
    categories: member.categories,
    credits: member.credits ?? 'unlimited',
    ...member.directory,
    'must change password': member.mustChangePassword,
    'last sign-in': member.lastSignInAt ?? 'not signed in yet',
    created: member.createdAt,
    updated: member.updatedAt,
  });
}

interface MemberFlags {
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  description?: string;
  userType?: string;
  role?: string;
  roleParameter?: string;
  group?: string[];
  license?: string[];
  category?: string[];
  credits?: number;
  unlimitedCredits?: boolean;
  password?: string;
  passwordStdin?: boolean;
  temporaryPassword?: boolean;
  pending?: boolean;
}

async function bodyOf(flags: MemberFlags): Promise<Record<string, unknown>> {
  const password = flags.passwordStdin ? await readStdin() : flags.password;
  return Object.fromEntries(
    Object.entries({
      username: flags.username,
      email: flags.email,
      firstName: flags.firstName,
      lastName: flags.lastName,
      displayName: flags.name,
      description: flags.description,
      userType: flags.userType,
      role: flags.role,
      roleParameter: flags.roleParameter,
      groups: flags.group,
      licenses: flags.license,
      categories: flags.category,
      credits: flags.unlimitedCredits ? null : flags.credits,
      password,
      mustChangePassword: password === undefined ? undefined : flags.temporaryPassword,
    }).filter(([, v]) => v !== undefined),
  );
}

function memberOptions(command: Command): Command {
  return command
    .option('--email <email>', 'email address')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--name <name>', 'display name (first and last name are derived from it when left out)')
    .option('--description <text>', 'description, at most 250 characters')
    .option('--user-type <type>', 'user type (name or file id such as creatorUT)')
    .option('--role <role>', 'role (name, case-insensitive)')
    .option('--role-parameter <value>', 'the parameter the role needs, if any')
    .option('--group <group>', 'group name or id (repeat or separate with commas)', list)
    .option(
      '--license <licence>',
      'add-on licence from the catalog, compatible with the user type (repeat or separate with commas)',
      list,
    )
    .option('--category <category>', 'member category (repeatable)', list)
    .option('--credits <n>', 'credits', nonNegativeNumber)
    .option('--unlimited-credits', 'no credit limit')
    .option(
      '--password <password>',
      'password for a built-in account (visible to other local users; prefer --password-stdin)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .option('--no-temporary-password', 'the password need not be changed at first sign-in');
}

export function membersCommand(): Command {
  const members = new Command('members').description('members of the organization');

  members
    .command('list')
    .description('list members')
    .addOption(
      new Option('--status <status>', 'only this status').choices([
        'pending',
        'active',
        'disabled',
      ]),
    )
    .addOption(
      new Option('--signed-in <yes|no>', 'only members who have (or have not) signed in').choices([
        'yes',
        'no',
      ]),
    )
    .option('--source <source>', 'only members from this identity source')
    .option('--group <group>', 'only members of this group')
    .option('--user-type <type>', 'only this user type')
    .option('--role <role>', 'only this role')
    .option('--license <licence>', 'only members holding this add-on licence')
    .option('--search <text>', 'search username, email and names')
    .option(
      '--sort <field>',
      'username, email, lastName, firstName, createdAt, lastSignInAt, status; prefix - to reverse',
    )
    .option('--page <n>', 'page number', positiveInt)
    .option('--page-size <n>', 'members per page', positiveInt)
    .action(async (flags, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<Page<Member>>(
          'GET',
          `/api/v1/members${query({
            status: flags.status,
            signedIn: flags.signedIn === undefined ? undefined : flags.signedIn === 'yes',
            source: flags.source,
            group: flags.group,
            userType: flags.userType,
            role: flags.role,
            license: flags.license,
            search: flags.search,
            sort: flags.sort,
            page: flags.page,
            pageSize: flags.pageSize,
          })}`,
        );
        if (json) return printJson(page);
        const licenses = await client.request<{ items: License[] }>('GET', '/api/v1/licenses');
        printTable(
          page.items,
          memberColumns,
          `${counted(page.total, 'member')}; page ${page.page} of ${Math.max(1, Math.ceil(page.total / page.pageSize))}\n${usageLine(licenses.items)}`,
        );
      });
    });

  members
    .command('show <member>')
    .description('show one member (id or username)')
    .action(async (ref: string, _flags, command: Command) => {
      await withClient(command, async (client, json) =>
        printMember(
          await client.request<Member>('GET', `/api/v1/members/${encodeURIComponent(ref)}`),
          json,
        ),
      );
    });

  memberOptions(
    members
      .command('create')
      .description('add a member')
      .requiredOption('--username <username>', 'username')
      .option('--pending', 'add as pending'),
  ).action(async (flags: MemberFlags, command: Command) => {
    await withClient(command, async (client, json) => {
      const body = await bodyOf(flags);
      if (flags.pending) body.status = 'pending';
      printMember(await client.request<Member>('POST', '/api/v1/members', body), json);
    });
  });

  memberOptions(
    members
      .command('update <member>')
      .description('change a member')
      .option('--username <username>', 'new username'),
  ).action(async (ref: string, flags: MemberFlags, command: Command) => {
    await withClient(command, async (client, json) => {
      printMember(
        await client.request<Member>(
          'PATCH',
          `/api/v1/members/${encodeURIComponent(ref)}`,
          await bodyOf(flags),
        ),
        json,
      );
    });
  });

  for (const [name, verb] of [
    ['disable', 'disable'],
    ['enable', 'enable'],
  ] as const) {
    members
      .command(`${name} <member>`)
      .description(`${verb} a member`)
      .action(async (ref: string, _flags, command: Command) => {
        await withClient(command, async (client, json) =>
          printMember(
            await client.request<Member>(
              'POST',
              `/api/v1/members/${encodeURIComponent(ref)}/${verb}`,
            ),
            json,
          ),
        );
      });
  }

  members
    .command('delete <member>')
    .description(
      'delete a member irreversibly; what it owns is transferred (--transfer-to) or deleted',
    )
    .option('--transfer-to <member>', 'member who receives the owned resources')
    .action(async (ref: string, flags: { transferTo?: string }, command: Command) => {
      await withClient(command, async (client, json) => {
        const result = await client.request<{
          deleted: Member;
          transferredTo: string | null;
          resourcesTransferred: number;
          resourcesDeleted: number;
        }>(
          'DELETE',
          `/api/v1/members/${encodeURIComponent(ref)}${query({ transferTo: flags.transferTo })}`,
        );
        if (json) return printJson(result);
        process.stdout.write(
          `deleted ${result.deleted.username}; resources transferred: ${result.resourcesTransferred}, deleted: ${result.resourcesDeleted}\n`,
        );
      });
    });
  return members;
}
