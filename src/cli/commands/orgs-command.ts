import { Command, InvalidArgumentError } from 'commander';
import type { Organization } from '../../orgs/organizations.ts';
import type { Overview } from '../../overview/overview.ts';
import { list, nonNegativeNumber, positiveInt, withClient } from '../cli-context.ts';
import { printJson, printRecord, printTable } from '../output.ts';

const show = (org: Organization, json: boolean) =>
  json
    ? printJson(org)
    : printRecord({
        ...org,
        membershipLimit: org.membershipLimit ?? 'none',
        newMemberDefaults: org.newMemberDefaults,
      });

function setting(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const index = value.indexOf('=');
  if (index < 1) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, index)]: value.slice(index + 1) };
}

function printOverview(o: Overview): void {
  printRecord({
    organization: o.organization.name,
    members: o.members.total,
    active: o.members.byStatus.active,
    pending: o.members.byStatus.pending,
    disabled: o.members.byStatus.disabled,
    'signed in at least once': o.members.signedIn,
    'by user type': o.members.byUserType.map((t) => `${t.userType}: ${t.count}`),
    'pending invitations': o.pendingInvitations,
    'licences in use': o.licenses.map((l) => `${l.license}: ${l.count}`),
    'membership limit':
      o.membershipLimit.limit === null
        ? 'none'
        : `${o.membershipLimit.used} of ${o.membershipLimit.limit} used`,
    sources: o.sources.map(
      (s) =>
        `${s.name} (${s.type}): ${s.lastRun ? `${s.lastRun.status} ${s.lastRun.startedAt}` : 'never run'}`,
    ),
  });
}

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
    .command('overview')
    .description('members by status and user type, invitations, licences, limit, sources')
    .action(async (_f, command: Command) => {
      await withClient(command, async (client, json) => {
        const overview = await client.request<Overview>('GET', '/api/v1/overview');
        if (json) return printJson(overview);
        printOverview(overview);
      });
    });
  orgs
    .command('update')
    .description('rename the organization or change its settings and the defaults for new members')
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
    .option(
      '--scim-password-push',
      'a password an identity provider sends over SCIM becomes the built-in password',
    )
    .option('--no-scim-password-push', 'passwords sent over SCIM are discarded (the default)')
    .option('--default-user-type <type>', 'user type of new members ("" for the built-in default)')
    .option('--default-role <role>', 'role of new members ("" for the built-in default)')
    .option('--default-group <group>', 'group of new members (repeatable; "" for none)', list)
    .option(
      '--default-license <license>',
      'add-on licence of new members (repeatable; "" for none)',
      list,
    )
    .option(
      '--default-category <category>',
      'category of new members (repeatable; "" for none)',
      list,
    )
    .option('--default-credits <n>', 'credits of new members', nonNegativeNumber)
    .option('--default-unlimited-credits', 'new members have unlimited credits')
    .option('--default-setting <key=value>', 'a setting of new members (repeatable)', setting)
    .action(
      async (
        flags: {
          name?: string;
          membershipLimit?: number | false;
          invitationExpiryDays?: number;
          allowAdminInvitations?: boolean;
          allowInvitationsWithoutRole?: boolean;
          scimPasswordPush?: boolean;
          defaultUserType?: string;
          defaultRole?: string;
          defaultGroup?: string[];
          defaultLicense?: string[];
          defaultCategory?: string[];
          defaultCredits?: number;
          defaultUnlimitedCredits?: boolean;
          defaultSetting?: Record<string, string>;
        },
        command: Command,
      ) => {
        const body: Record<string, unknown> = {};
        const defaults: Record<string, unknown> = {};
        if (flags.defaultUserType !== undefined) defaults.userType = flags.defaultUserType || null;
        if (flags.defaultRole !== undefined) defaults.role = flags.defaultRole || null;
        if (flags.defaultGroup !== undefined) defaults.groups = flags.defaultGroup;
        if (flags.defaultLicense !== undefined) defaults.licenses = flags.defaultLicense;
        if (flags.defaultCategory !== undefined) defaults.categories = flags.defaultCategory;
        if (flags.defaultCredits !== undefined) defaults.credits = flags.defaultCredits;
        if (flags.defaultUnlimitedCredits) defaults.credits = null;
        if (flags.defaultSetting !== undefined) defaults.settings = flags.defaultSetting;
        if (Object.keys(defaults).length > 0) body.newMemberDefaults = defaults;
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
        if (command.getOptionValueSource('scimPasswordPush') === 'cli')
          body.scimPasswordPush = flags.scimPasswordPush;
        await withClient(command, async (client, json) =>
          show(await client.request<Organization>('PATCH', '/api/v1/organization', body), json),
        );
      },
    );
  return orgs;
}
