import { Command, Option } from 'commander';
import type { ProvisioningRecord } from '../../scim/provisioning-log.ts';
import { positiveInt, query, withClient } from '../cli-context.ts';
import { printJson, printTable } from '../output.ts';

export function scimCommand(): Command {
  const scim = new Command('scim').description('SCIM provisioning by identity providers');
  scim
    .command('log')
    .description(
      'the provisioning log, newest first: what each SCIM write asked for and what came of it',
    )
    .option('--key <id>', 'only writes made with this API key')
    .option('--target <id>', 'only writes to this user or group id')
    .option(
      '--bulk <entry>',
      'only the operations of the Bulk request logged as this entry id',
      positiveInt,
    )
    .addOption(
      new Option('--operation <op>', 'only this operation').choices([
        'create',
        'replace',
        'update',
        'delete',
        'bulk',
      ]),
    )
    .addOption(
      new Option('--outcome <outcome>', 'only successes or failures').choices([
        'success',
        'failure',
      ]),
    )
    .option('--status <code>', 'only this HTTP status', positiveInt)
    .option('--since <date>', 'from this date-time on')
    .option('--page <n>', 'page', positiveInt)
    .option('--page-size <n>', 'entries per page', positiveInt)
    .action(
      async (
        flags: {
          key?: string;
          target?: string;
          bulk?: number;
          operation?: string;
          outcome?: string;
          status?: number;
          since?: string;
          page?: number;
          pageSize?: number;
        },
        command: Command,
      ) => {
        await withClient(command, async (client, json) => {
          const page = await client.request<{ items: ProvisioningRecord[]; total: number }>(
            'GET',
            `/api/v1/scim/log${query({
              keyId: flags.key,
              targetId: flags.target,
              bulkEntryId: flags.bulk,
              operation: flags.operation,
              outcome: flags.outcome,
              status: flags.status,
              since: flags.since,
              page: flags.page,
              pageSize: flags.pageSize,
            })}`,
          );
          if (json) return printJson(page);
          printTable(
            page.items,
            [
              { header: 'entry', value: (e) => String(e.id) },
              { header: 'at', value: (e) => e.at },
              { header: 'key', value: (e) => e.keyTitle ?? '' },
              {
                header: 'operation',
                value: (e) =>
                  e.bulkEntryId === null
                    ? `${e.method} ${e.resourceType}`
                    : `${e.method} ${e.path ?? ''}${e.bulkId ? ` (bulkId ${e.bulkId})` : ''} in bulk ${e.bulkEntryId}`,
              },
              { header: 'target', value: (e) => e.targetId ?? '' },
              { header: 'status', value: (e) => String(e.status) },
              { header: 'attributes', value: (e) => e.attributes.join(', ') },
              { header: 'detail', value: (e) => e.detail ?? '' },
            ],
            `${page.total} entr${page.total === 1 ? 'y' : 'ies'}`,
          );
        });
      },
    );
  return scim;
}
