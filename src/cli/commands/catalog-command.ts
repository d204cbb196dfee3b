import { Command } from 'commander';
import type { CatalogRole, CatalogUserType } from '../../catalog/compatibility.ts';
import { list, withClient } from '../cli-context.ts';
import { printJson, printTable } from '../output.ts';

export function rolesCommand(): Command {
  const roles = new Command('roles').description('roles and user types of the organization');
  roles
    .command('list')
    .description('list roles')
    .action(async (_f, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<{ items: CatalogRole[] }>('GET', '/api/v1/roles');
        if (json) return printJson(page);
        printTable(page.items, [
          { header: 'role', value: (r) => r.name },
          { header: 'privileges', value: (r) => r.privileges },
          {
            header: 'needs',
            value: (r) =>
              r.parameterName
                ? `${r.parameterName}${r.parameterRequired === false ? ' (optional)' : ''}`
                : '',
          },
          { header: 'exclusive set', value: (r) => r.exclusiveSet ?? '' },
        ]);
      });
    });
  roles
    .command('user-types')
    .description('list user types and the roles compatible with each')
    .action(async (_f, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<{
          items: Array<CatalogUserType & { compatibleRoles: string[] }>;
        }>('GET', '/api/v1/user-types');
        if (json) return printJson(page);
        printTable(page.items, [
          { header: 'user type', value: (t) => t.name },
          { header: 'file id', value: (t) => t.fileId },
          { header: 'compatible roles', value: (t) => t.compatibleRoles },
        ]);
      });
    });
  roles
    .command('create <name>')
    .description('define a custom role')
    .requiredOption(
      '--privilege <privilege>',
      'view, edit_data, create_content, share, publish, admin (repeat or separate with commas)',
      list,
    )
    .option('--parameter <name>', 'a value grants of this role carry, e.g. "Vertex ID"')
    .option(
      '--parameter-optional',
      'grants may leave the parameter out (e.g. a default project); without it, it is required',
    )
    .option('--exclusive-set <name>', 'roles of the same set cannot be held together')
    .action(
      async (
        name: string,
        flags: {
          privilege: string[];
          parameter?: string;
          parameterOptional?: boolean;
          exclusiveSet?: string;
        },
        command: Command,
      ) => {
        await withClient(command, async (client, json) => {
          const role = await client.request<CatalogRole>('POST', '/api/v1/roles', {
            name,
            privileges: flags.privilege,
            parameterName: flags.parameter,
            ...(flags.parameterOptional && { parameterRequired: false }),
            exclusiveSet: flags.exclusiveSet,
          });
          json ? printJson(role) : process.stdout.write(`created role ${role.name} (${role.id})\n`);
        });
      },
    );
  return roles;
}
