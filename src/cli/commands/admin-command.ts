import { randomBytes, randomInt } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import type { Member } from '../../members/member-record.ts';
import { withClient } from '../cli-context.ts';
import { printJson, printRecord } from '../output.ts';

// The first administrator, from the daemon's own machine: a built-in member with the
// Administrator role and a one-time setup link (or, when asked, a temporary password that must
// be changed at the first sign-in). Either is printed once and never logged.

interface SetupLink {
  memberId: string;
  username: string;
  link: string;
  expiresAt: string;
}

/** A random password the password policy accepts: letters and digits, 20 characters. */
function temporaryPassword(): string {
  const letters = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
  const digits = '23456789';
  const pool = letters + digits;
  const chars = [letters[randomInt(letters.length)]!, digits[randomInt(digits.length)]!];
  for (const byte of randomBytes(18)) chars.push(pool[byte % pool.length]!);
  return chars.join('');
}

function hours(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new InvalidArgumentError('expected a number of hours');
  return n;
}

export function adminCommand(): Command {
  const admin = new Command('admin').description('administrators who sign in (console, admin API)');

  admin
    .command('create')
    .description(
      'create a built-in member with the Administrator role and print a one-time setup link',
    )
    .requiredOption('--username <username>', 'username')
    .requiredOption('--email <email>', 'email address')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--name <name>', 'display name (first and last name are derived from it)')
    .option('--user-type <type>', 'user type (must allow the Administrator role)', 'Creator')
    .option('--link-hours <hours>', 'hours the setup link stays valid (at most 336)', hours, 24)
    .option(
      '--temporary-password',
      'print a temporary password (changed at first sign-in) instead of a setup link',
    )
    .action(
      async (
        flags: {
          username: string;
          email: string;
          firstName?: string;
          lastName?: string;
          name?: string;
          userType: string;
          linkHours: number;
          temporaryPassword?: boolean;
        },
        command: Command,
      ) => {
        await withClient(command, async (client, json) => {
          const password = flags.temporaryPassword ? temporaryPassword() : undefined;
          const member = await client.request<Member>('POST', '/api/v1/members', {
            username: flags.username,
            email: flags.email,
            ...(flags.firstName !== undefined && { firstName: flags.firstName }),
            ...(flags.lastName !== undefined && { lastName: flags.lastName }),
            // Without any name, the username stands for it (members need a first name).
            ...((flags.name !== undefined ||
              (flags.firstName === undefined && flags.lastName === undefined)) && {
              displayName: flags.name ?? flags.username,
            }),
            userType: flags.userType,
            role: 'Administrator',
            ...(password && { password, mustChangePassword: true }),
          });
          if (password) {
            if (json)
              return printJson({
                memberId: member.id,
                username: member.username,
                temporaryPassword: password,
              });
            printRecord({
              username: member.username,
              'temporary password': password,
              'sign in at': '/auth/sign-in (the password must be changed at the first sign-in)',
            });
            return;
          }
          const link = await client.request<SetupLink>(
            'POST',
            `/api/v1/members/${encodeURIComponent(member.id)}/setup-link`,
            { expiresInHours: flags.linkHours },
          );
          if (json) return printJson(link);
          printRecord({
            username: link.username,
            'setup link': link.link,
            'valid until': `${link.expiresAt} (single use)`,
          });
        });
      },
    );

  admin
    .command('setup-link <member>')
    .description('a new one-time setup link for a built-in member (replaces an unused one)')
    .option('--link-hours <hours>', 'hours the link stays valid (at most 336)', hours, 24)
    .action(async (ref: string, flags: { linkHours: number }, command: Command) => {
      await withClient(command, async (client, json) => {
        const link = await client.request<SetupLink>(
          'POST',
          `/api/v1/members/${encodeURIComponent(ref)}/setup-link`,
          { expiresInHours: flags.linkHours },
        );
        if (json) return printJson(link);
        printRecord({
          username: link.username,
          'setup link': link.link,
          'valid until': `${link.expiresAt} (single use)`,
        });
      });
    });
  return admin;
}
