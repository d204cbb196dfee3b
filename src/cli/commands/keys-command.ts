import { Command, Option } from 'commander';
import type { ApiKey } from '../../keys/api-keys.ts';
import { SUGGESTED_KEY_DAYS } from '../../keys/key-expiry.ts';
import { positiveInt, query, withClient } from '../cli-context.ts';
import { printJson, printRecord, printTable } from '../output.ts';
import { counted } from '../../counted.ts';

export function keysCommand(): Command {
  const keys = new Command('keys').description('API keys (bearer tokens for /api/v1 and /scim/v2)');
  keys
    .command('create')
    .description('create an API key; its secret is printed once and never again')
    .requiredOption('--title <title>', 'what the key is for')
    .addOption(
      new Option('--role <role>', 'editor reads and writes; viewer only reads')
        .choices(['editor', 'viewer'])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--scope <scope>', 'what the key reaches: api (/api/v1), scim (/scim/v2) or both')
        .choices(['api', 'scim', 'both'])
        .default('api'),
    )
    .option(
      '--expires-in-days <days>',
      `days until it expires (required unless --expires-at; one year: ${SUGGESTED_KEY_DAYS}; at most 730)`,
      positiveInt,
    )
    .option('--expires-at <date>', 'expiry date (YYYY-MM-DD or an ISO date-time)')
    .addOption(
      new Option('--creator-email <email>', "your email, shown in the key's details").env(
        'PROVISIOND_ADMIN_EMAIL',
      ),
    )
    .action(
      async (
        flags: {
          title: string;
          role: string;
          scope: string;
          expiresInDays?: number;
          expiresAt?: string;
          creatorEmail?: string;
        },
        command: Command,
      ) => {
        // The expiry is a required field; one year is the usual choice.
        if (flags.expiresInDays === undefined && flags.expiresAt === undefined)
          command.error(
            `an API key needs an expiry: add --expires-in-days ${SUGGESTED_KEY_DAYS} (one year) or --expires-at YYYY-MM-DD`,
            { exitCode: 2 },
          );
        const { scope, ...rest } = flags;
        const scopes = scope === 'both' ? ['api', 'scim'] : [scope];
        await withClient(command, async (client, json) => {
          const key = await client.request<ApiKey & { secret: string }>('POST', '/api/v1/keys', {
            ...rest,
            scopes,
          });
          if (json) return printJson(key);
          printRecord({
            id: key.id,
            title: key.title,
            role: key.role,
            scopes: key.scopes.join(', '),
            'created by': key.createdByEmail ?? key.createdBy,
            expires: key.expiresAt,
            secret: key.secret,
          });
          process.stdout.write(
            '\nThis is the only time the secret is shown: keep it secret and safe.\n',
          );
        });
      },
    );
  keys
    .command('list')
    .description('list API keys, newest first')
    .action(async (_f, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<{ items: ApiKey[]; total: number }>(
          'GET',
          '/api/v1/keys',
        );
        if (json) return printJson(page);
        printTable(
          page.items,
          [
            { header: 'title', value: (k) => k.title },
            { header: 'id', value: (k) => k.id },
            { header: 'role', value: (k) => k.role },
            { header: 'created by', value: (k) => k.createdByEmail ?? k.createdBy },
            { header: 'created', value: (k) => k.createdAt },
            { header: 'expires', value: (k) => k.expiresAt },
            { header: 'status', value: (k) => k.status },
          ],
          counted(page.total, 'key'),
        );
      });
    });
  keys
    .command('show <id>')
    .description('show an API key (never its secret)')
    .action(async (id: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const key = await client.request<ApiKey>('GET', `/api/v1/keys/${encodeURIComponent(id)}`);
        json
          ? printJson(key)
          : printRecord({ ...key, createdByEmail: key.createdByEmail ?? 'not recorded' });
      });
    });
  keys
    .command('delete <id>')
    .description(
      'delete an API key irreversibly; what it owns is transferred (--transfer-to) or deleted',
    )
    .option(
      '--transfer-to <member>',
      'member (with a role that may own content) who receives the owned resources',
    )
    .action(async (id: string, flags: { transferTo?: string }, command: Command) => {
      await withClient(command, async (client, json) => {
        const result = await client.request<{
          deleted: ApiKey;
          resourcesTransferred: number;
          resourcesDeleted: number;
        }>(
          'DELETE',
          `/api/v1/keys/${encodeURIComponent(id)}${query({ transferTo: flags.transferTo })}`,
        );
        if (json) return printJson(result);
        process.stdout.write(
          `deleted key "${result.deleted.title}"; resources transferred: ${result.resourcesTransferred}, deleted: ${result.resourcesDeleted}\n`,
        );
      });
    });
  return keys;
}
