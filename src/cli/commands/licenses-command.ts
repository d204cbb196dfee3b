import { Command, InvalidArgumentError } from 'commander';
import type { License } from '../../licenses/license-service.ts';
import { list, withClient } from '../cli-context.ts';
import { type Column, printJson, printRecord, printTable } from '../output.ts';
import { counted } from '../../counted.ts';

// The add-on licence catalog: which user types may hold each licence and how many the
// organization has; the list is the overview of what is in use and available.

const count = (n: number | null) => (n === null ? 'no limit' : n);

const licenseColumns: Column<License>[] = [
  { header: 'licence', value: (l) => l.name },
  { header: 'user types', value: (l) => l.userTypes },
  { header: 'quantity', value: (l) => count(l.quantity) },
  { header: 'in use', value: (l) => l.inUse },
  { header: 'available', value: (l) => count(l.available) },
  { header: 'pending invitations', value: (l) => l.pendingInvitations },
  { header: 'note', value: (l) => (l.migrated ? 'from free text: review it' : '') },
];

/** "ArcGIS Insights 3 in use / 2 available" for each licence, as the members list ends with. */
export function usageLine(licenses: License[]): string {
  if (licenses.length === 0) return 'licences: none defined';
  return `licences: ${licenses.map((l) => `${l.name} ${l.inUse} in use / ${l.available === null ? 'no limit' : `${l.available} available`}`).join('; ')}`;
}

function quantity(value: string): number | null {
  if (value === 'unlimited' || value === 'none') return null;
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError('expected a whole number of at least 0, or "unlimited"');
  return Number(value);
}

function printLicense(license: License, json: boolean): void {
  if (json) {
    printJson(license);
    return;
  }
  printRecord({
    id: license.id,
    name: license.name,
    'user types': license.userTypes,
    quantity: count(license.quantity),
    'in use': license.inUse,
    available: count(license.available),
    'pending invitations': license.pendingInvitations,
  });
}

export function licensesCommand(): Command {
  const licenses = new Command('licenses').description(
    'add-on licences: the catalog, and what is in use and available',
  );
  licenses
    .command('list')
    .description('every licence with its user types, quantity, in use and available')
    .action(async (_f, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<{ items: License[]; total: number }>(
          'GET',
          '/api/v1/licenses',
        );
        if (json) return printJson(page);
        printTable(page.items, licenseColumns, counted(page.total, 'licence'));
      });
    });
  licenses
    .command('show <licence>')
    .description('one licence (name or id)')
    .action(async (ref: string, _f, command: Command) => {
      await withClient(command, async (client, json) =>
        printLicense(
          await client.request<License>('GET', `/api/v1/licenses/${encodeURIComponent(ref)}`),
          json,
        ),
      );
    });
  licenses
    .command('create <name>')
    .description('define a licence')
    .requiredOption(
      '--user-type <type>',
      'a user type that may hold it (repeat or separate with commas)',
      list,
    )
    .option('--quantity <n>', 'how many the organization has (default: no limit)', quantity)
    .action(
      async (name: string, flags: { userType: string[]; quantity?: number | null }, command) => {
        await withClient(command, async (client, json) =>
          printLicense(
            await client.request<License>('POST', '/api/v1/licenses', {
              name,
              userTypes: flags.userType,
              ...(flags.quantity !== undefined && { quantity: flags.quantity }),
            }),
            json,
          ),
        );
      },
    );
  licenses
    .command('update <licence>')
    .description('rename a licence, change its user types or its quantity')
    .option('--name <name>', 'new name (the members holding it keep it)')
    .option('--user-type <type>', 'the user types that may hold it, replacing the list', list)
    .option('--quantity <n>', 'how many the organization has, or "unlimited"', quantity)
    .action(
      async (
        ref: string,
        flags: { name?: string; userType?: string[]; quantity?: number | null },
        command: Command,
      ) => {
        await withClient(command, async (client, json) =>
          printLicense(
            await client.request<License>('PATCH', `/api/v1/licenses/${encodeURIComponent(ref)}`, {
              ...(flags.name !== undefined && { name: flags.name }),
              ...(flags.userType !== undefined && { userTypes: flags.userType }),
              ...(flags.quantity !== undefined && { quantity: flags.quantity }),
            }),
            json,
          ),
        );
      },
    );
  licenses
    .command('delete <licence>')
    .description('delete a licence nobody holds')
    .action(async (ref: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const license = await client.request<License>(
          'DELETE',
          `/api/v1/licenses/${encodeURIComponent(ref)}`,
        );
        json ? printJson(license) : process.stdout.write(`deleted licence ${license.name}\n`);
      });
    });
  return licenses;
}
