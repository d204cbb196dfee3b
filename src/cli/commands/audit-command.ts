import { Command } from 'commander';
import type { AuditRecord } from '../../audit/audit-log.ts';
import { positiveInt, query, withClient } from '../cli-context.ts';
import { printJson, printTable } from '../output.ts';

export function auditCommand(): Command {
  return new Command('audit')
    .description('the audit log, newest first')
    .option('--action <action>', 'only this action, e.g. member.create')
    .option('--target <id>', 'only changes of this id')
    .option('--target-type <type>', 'only changes of this kind, e.g. member')
    .option('--actor <actor>', 'only what this member or key did (id, username or key title)')
    .option('--since <date>', 'from this date-time on')
    .option('--until <date>', 'before this date-time')
    .option('--page <n>', 'page', positiveInt)
    .option('--page-size <n>', 'entries per page', positiveInt)
    .action(
      async (
        flags: {
          action?: string;
          target?: string;
          targetType?: string;
          actor?: string;
          since?: string;
          until?: string;
          page?: number;
          pageSize?: number;
        },
        command: Command,
      ) => {
        await withClient(command, async (client, json) => {
          const page = await client.request<{ items: AuditRecord[]; total: number }>(
            'GET',
            `/api/v1/audit${query({ action: flags.action, targetId: flags.target, targetType: flags.targetType, actor: flags.actor, since: flags.since, until: flags.until, page: flags.page, pageSize: flags.pageSize })}`,
          );
          if (json) return printJson(page);
          printTable(
            page.items,
            [
              { header: 'at', value: (e) => e.at },
              { header: 'actor', value: (e) => e.actor.label },
              { header: 'action', value: (e) => e.action },
              { header: 'target', value: (e) => `${e.target.type} ${e.target.id ?? ''}` },
            ],
            `${page.total} entr${page.total === 1 ? 'y' : 'ies'}`,
          );
        });
      },
    );
}
