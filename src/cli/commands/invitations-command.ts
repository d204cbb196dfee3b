import { Command, Option } from 'commander';
import type { CreatedInvitations } from '../../invitations/invitation-create.ts';
import type { InvitationPage } from '../../invitations/invitation-manage.ts';
import type { Invitation } from '../../invitations/invitation-record.ts';
import { query, withClient } from '../cli-context.ts';
import { printJson, printRecord, printTable } from '../output.ts';
import { counted } from '../../counted.ts';

// Email invitations: create for one or many addresses, list with filters
// and the copyable links of open invitations, show, resend (a new link; the old one
// stops working), delete (pending only).

const collect = (value: string, previous: string[] = []) => [...previous, value];

function show(invitation: Invitation): void {
  printRecord({ ...invitation });
}

export function invitationsCommand(): Command {
  const invitations = new Command('invitations').description(
    'email invitations: pending members who join through a link',
  );
  invitations
    .command('create')
    .description('invite one or several addresses (the link is printed now and mailed)')
    .requiredOption('--email <address>', 'address to invite (repeat for several)', collect)
    .option('--role <role>', 'role given on joining (default: the organization default)')
    .option(
      '--no-role',
      'give no role: only an account is created, with the defaults for new members (when the organization allows it)',
    )
    .option('--role-parameter <value>', 'the parameter of a role that needs one (e.g. a Vertex ID)')
    .option('--user-type <type>', 'user type (default: the organization default)')
    .option('--group <group>', 'group to join (repeat for several)', collect)
    .option(
      '--license <licence>',
      'add-on licence from the catalog (repeat for several); counted once the invitation is accepted',
      collect,
    )
    .addOption(
      new Option('--language <lang>', 'language of the mail and pages').choices(['en', 'fr', 'de']),
    )
    .option('--message <text>', 'a personal message in the mail')
    .addOption(
      new Option('--mode <mode>', 'how the invitee joins').choices([
        'any-account',
        'organization-logins',
        'add-and-notify',
        'add-without-invitation',
      ]),
    )
    .option(
      '--username <username>',
      'the username created for the member (add-and-notify, add-without-invitation)',
    )
    .option('--password <password>', 'temporary password (add-without-invitation)')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--must-use-invited-email', 'the invitee must sign up with the invited address')
    .action(
      async (
        flags: {
          email: string[];
          role?: string | false;
          roleParameter?: string;
          userType?: string;
          group?: string[];
          license?: string[];
          language?: string;
          message?: string;
          mode?: string;
          username?: string;
          password?: string;
          firstName?: string;
          lastName?: string;
          mustUseInvitedEmail?: boolean;
        },
        command: Command,
      ) => {
        await withClient(command, async (client, json) => {
          const body = {
            emails: flags.email,
            role: flags.role === false ? null : flags.role,
            roleParameter: flags.roleParameter,
            userType: flags.userType,
            groups: flags.group,
            licenses: flags.license,
            language: flags.language,
            message: flags.message,
            mode: flags.mode,
            username: flags.username,
            password: flags.password,
            firstName: flags.firstName,
            lastName: flags.lastName,
            mustUseInvitedEmail: flags.mustUseInvitedEmail,
          };
          const created = await client.request<CreatedInvitations>(
            'POST',
            '/api/v1/invitations',
            body,
          );
          if (json) return printJson(created.items.length === 1 ? created.items[0] : created);
          for (const invitation of created.items)
            process.stdout.write(
              `${invitation.email}  ${invitation.status}  ${invitation.link ?? '(no link: added directly)'}\n`,
            );
        });
      },
    );
  invitations
    .command('list')
    .description('list invitations with their copyable links, newest first')
    .option('--status <status>', 'pending, accepted, expired, deleted or added')
    .option('--email <text>', 'part of the invited address')
    .option('--source <name>', 'only the invitations a directory source sent')
    .option(
      '--sort <column>',
      'createdAt, expiresAt, email, status, role or invitedBy; a leading - sorts descending (default -createdAt)',
    )
    .option('--page <n>', 'page number, from 1')
    .option('--page-size <n>', 'invitations per page (default 50)')
    .action(
      async (
        flags: {
          status?: string;
          email?: string;
          source?: string;
          sort?: string;
          page?: string;
          pageSize?: string;
        },
        command: Command,
      ) => {
        await withClient(command, async (client, json) => {
          const page = await client.request<InvitationPage>(
            'GET',
            `/api/v1/invitations${query(flags)}`,
          );
          if (json) return printJson(page);
          printTable(
            page.items,
            [
              { header: 'id', value: (i) => i.id },
              { header: 'inviter', value: (i) => i.invitedBy },
              { header: 'email', value: (i) => i.email },
              { header: 'role', value: (i) => i.role },
              { header: 'created', value: (i) => i.createdAt.slice(0, 10) },
              { header: 'expires', value: (i) => i.expiresAt?.slice(0, 10) },
              { header: 'status', value: (i) => i.status },
              { header: 'link', value: (i) => i.link ?? '' },
            ],
            `${page.items.length} of ${counted(page.total, 'invitation')}, page ${page.page}`,
          );
        });
      },
    );
  invitations
    .command('show <id>')
    .description('show an invitation')
    .action(async (id: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const invitation = await client.request<Invitation>(
          'GET',
          `/api/v1/invitations/${encodeURIComponent(id)}`,
        );
        json ? printJson(invitation) : show(invitation);
      });
    });
  invitations
    .command('resend <id>')
    .description('send a new link with a fresh expiry; the old link stops working')
    .action(async (id: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const invitation = await client.request<Invitation>(
          'POST',
          `/api/v1/invitations/${encodeURIComponent(id)}/resend`,
        );
        json ? printJson(invitation) : show(invitation);
      });
    });
  invitations
    .command('delete <id>')
    .description('delete a pending invitation; its username becomes reusable')
    .action(async (id: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const invitation = await client.request<Invitation>(
          'DELETE',
          `/api/v1/invitations/${encodeURIComponent(id)}`,
        );
        json
          ? printJson(invitation)
          : process.stdout.write(`deleted the invitation of ${invitation.email}\n`);
      });
    });
  return invitations;
}
