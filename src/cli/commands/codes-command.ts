import { Command } from 'commander';
import type { Redeemed } from '../../invitations/code-redemption.ts';
import type { CreatedCodes, InvitationCode } from '../../invitations/code-store.ts';
import { positiveInt, query, withClient } from '../cli-context.ts';
import { printJson, printRecord, printTable } from '../output.ts';
import { counted } from '../../counted.ts';

// Invitation codes: create 1–10 codes for a set of roles in a scope, list, show, copy,
// disable, and use one for a member. The codes are printed once, at creation.

const collect = (value: string, previous: string[] = []) => [...previous, value];

function codeTable(items: InvitationCode[], footer: string): void {
  printTable(
    items,
    [
      { header: 'creator', value: (c) => c.createdBy },
      { header: 'code', value: (c) => c.code },
      { header: 'scope', value: (c) => c.scope },
      { header: 'mode', value: (c) => c.mode },
      { header: 'created', value: (c) => c.createdAt.slice(0, 10) },
      { header: 'valid until', value: (c) => c.validUntil.slice(0, 10) },
      { header: 'status', value: (c) => c.status },
      { header: 'id', value: (c) => c.id },
    ],
    footer,
  );
}

export function codesCommand(): Command {
  const codes = new Command('codes').description(
    'invitation codes: single-use codes a signed-in member uses to get roles in a scope',
  );
  codes
    .command('create')
    .description('create 1-10 equivalent codes; they are printed once and never again')
    .option('--count <n>', 'how many codes (1-10, default 1)', positiveInt)
    .option('--validity <days>', 'days the codes stay valid (1-90, default 10)', positiveInt)
    .requiredOption('--role <role>', 'a role the codes grant (repeat for several)', collect)
    .option(
      '--role-parameter <value>',
      'the parameter of the one role that takes one (e.g. a Vertex ID)',
    )
    .option('--scope <group>', 'the group the roles apply in (default: the whole organization)')
    .action(
      async (
        flags: {
          count?: number;
          validity?: number;
          role: string[];
          roleParameter?: string;
          scope?: string;
        },
        command: Command,
      ) => {
        await withClient(command, async (client, json) => {
          const body = {
            count: flags.count,
            validityDays: flags.validity,
            roles: flags.role,
            roleParameter: flags.roleParameter,
            scope: flags.scope,
          };
          const created = await client.request<CreatedCodes>('POST', '/api/v1/codes', body);
          if (json) return printJson(created);
          process.stdout.write(
            `The following invitation codes were created (scope: ${created.scope}, valid until ${created.validUntil.slice(0, 10)}):\n\n`,
          );
          for (const code of created.codes) process.stdout.write(`  ${code}\n`);
          process.stdout.write(
            '\nOnly signed-in members can use a code, once. Hand each one over through a separate, protected channel.\n',
          );
        });
      },
    );
  codes
    .command('list')
    .description('list codes, newest first')
    .option('--status <status>', 'valid, used, disabled or expired')
    .option('--scope <group>', 'only the codes of this group')
    .action(async (flags: { status?: string; scope?: string }, command: Command) => {
      await withClient(command, async (client, json) => {
        const page = await client.request<{ items: InvitationCode[]; total: number }>(
          'GET',
          `/api/v1/codes${query(flags)}`,
        );
        if (json) return printJson(page);
        codeTable(page.items, counted(page.total, 'code'));
      });
    });
  codes
    .command('show <id>')
    .description('show one code (by id; the code itself is never shown again)')
    .action(async (id: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const code = await client.request<InvitationCode>(
          'GET',
          `/api/v1/codes/${encodeURIComponent(id)}`,
        );
        json ? printJson(code) : printRecord({ ...code });
      });
    });
  codes
    .command('copy <codes...>')
    .description(
      'the text to hand over: the code(s) with the scope and validity date ("copy all" with several)',
    )
    .action(async (list: string[], _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const copied = await client.request<{ text: string }>('POST', '/api/v1/codes/copy', {
          codes: list,
        });
        json ? printJson(copied) : process.stdout.write(copied.text);
      });
    });
  codes
    .command('disable <id>')
    .description('disable a code so that it can no longer be used')
    .action(async (id: string, _f, command: Command) => {
      await withClient(command, async (client, json) => {
        const code = await client.request<InvitationCode>(
          'POST',
          `/api/v1/codes/${encodeURIComponent(id)}/disable`,
        );
        json
          ? printJson(code)
          : process.stdout.write(`code ${code.code} (${code.id}) is ${code.status}\n`);
      });
    });
  codes
    .command('redeem <code>')
    .description(
      'use a code for a member (members themselves use POST /auth/codes/redeem when signed in)',
    )
    .requiredOption('--member <member>', 'username or id of the member who uses the code')
    .action(async (code: string, flags: { member: string }, command: Command) => {
      await withClient(command, async (client, json) => {
        const result = await client.request<Redeemed>('POST', '/api/v1/codes/redeem', {
          code,
          member: flags.member,
        });
        json ? printJson(result) : printRecord({ ...result });
      });
    });
  return codes;
}
