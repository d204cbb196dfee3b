import { Command } from 'commander';
import type { Organization } from '../../orgs/organizations.ts';
import { positiveInt, withClient } from '../cli-context.ts';
import { printJson, printRecord, printTable } from '../output.ts';

const show = (org: Organization, json: boolean) =>
  json
    ? printJson(org)
    : printRecord({
        ...org,
        membershipLimit: org.membershipLimit ?? 'none',
        newMemberDefaults: org.newMemberDefaults,
      });

export function orgsCommand(): Command {
  const orgs = new Command('orgs').description(
    'organizations (tenants); --org selects one for other commands',
  );
  orgs
    .command('list')
    .description('list organizations')
    .action(async (_f, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<{ items: Organization[]; total: number }>(
          'GET',
          '/api/v1/organizations',
        );
        if (json) return printJson(page);
        printTable(page.items, [
          { header: 'name', value: (o) => o.name },
          { header: 'slug', value: (o) => o.slug },
          { header: 'id', value: (o) => o.id },
          { header: 'limit', value: (o) => o.membershipLimit ?? '' },
        ]);
      });
    });
  orgs
    .command('create <name>')
    .description('create an organization')
    .option('--slug <slug>', 'short name used with --org')
    .action(async (name: string, flags: { slug?: string }, command: Command) => {
      await withClient(command, async (client, json) =>
        show(
          await client.request<Organization>('POST', '/api/v1/organizations', {
            name,
            slug: flags.slug,
          }),
          json,
        ),
      );
    });
  orgs
    .command('show')
    .description('show the organization (--org, or the default)')
    .action(async (_f, command: Command) => {
      await withClient(command, async (client, json) =>
        show(await client.request<Organization>('GET', '/api/v1/organization'), json),
      );
    });
  orgs
    .command('update')
    .description('rename the organization or change its settings')
    .option('--name <name>', 'new name')
    .option('--membership-limit <n>', 'most members (pending included)', positiveInt)
    .option('--no-membership-limit', 'remove the membership limit')
    .option('--invitation-expiry-days <n>', 'days an invitation stays valid', positiveInt)
    .option('--allow-admin-invitations', 'allow administrator roles in invitations')
    .option('--no-allow-admin-invitations', 'refuse administrator roles in invitations')
    .option(
      '--allow-invitations-without-role',
      'let invitations give no role (the invitee gets the defaults for new members)',
    )
    .option('--no-allow-invitations-without-role', 'every invitation gives a role')
    .action(
      async (
        flags: {
          name?: string;
          membershipLimit?: number | false;
          invitationExpiryDays?: number;
          allowAdminInvitations?: boolean;
          allowInvitationsWithoutRole?: boolean;
        },
        command: Command,
      ) => {
        const body: Record<string, unknown> = {};
        if (flags.name !== undefined) body.name = flags.name;
        if (
          flags.membershipLimit !== undefined &&
          command.getOptionValueSource('membershipLimit') === 'cli'
        )
          body.membershipLimit = flags.membershipLimit === false ? null : flags.membershipLimit;
        if (flags.invitationExpiryDays !== undefined)
          body.invitationExpiryDays = flags.invitationExpiryDays;
        if (command.getOptionValueSource('allowAdminInvitations') === 'cli')
          body.allowAdminInvitations = flags.allowAdminInvitations;
        if (command.getOptionValueSource('allowInvitationsWithoutRole') === 'cli')
          body.allowInvitationsWithoutRole = flags.allowInvitationsWithoutRole;
        await withClient(command, async (client, json) =>
          show(await client.request<Organization>('PATCH', '/api/v1/organization', body), json),
        );
      },
    );
  return orgs;
}
