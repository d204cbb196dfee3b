import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { MODE_IDS, TEMPLATE_LANGUAGES } from '../../import/import-modes.ts';
import { MAIL_LANGUAGES } from '../../invitations/invitation-rules.ts';
import type { ImportRun } from '../../import/import-store.ts';
import type { ApiClient } from '../api-client.ts';
import { query, withClient } from '../cli-context.ts';
import { printJson, printTable } from '../output.ts';
import { counted } from '../../counted.ts';

// `provisiond import …`: upload a file for validation (the report is printed; nothing is written),
// then `--apply` (or `import apply ID`) confirms it. Progress is drawn on a terminal while the
// daemon applies the run in batches.

export class ImportFailed extends Error {}

const SEPARATOR_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

function printReport(run: ImportRun): void {
  const r = run.report;
  const issues = r.issues
    .filter((i) => i.severity === 'error')
    .concat(r.issues.filter((i) => i.severity === 'warning'));
  if (issues.length > 0) {
    printTable(
      issues.slice(0, 1000),
      [
        { header: 'line', value: (i) => i.line ?? '' },
        { header: 'field', value: (i) => i.field ?? '' },
        { header: 'level', value: (i) => i.severity },
        { header: 'reason', value: (i) => i.message },
      ],
      issues.length > 1000 ? `… and ${issues.length - 1000} more (use --json for all)` : undefined,
    );
  }
  const separator = r.separator ? `, ${SEPARATOR_NAMES[r.separator] ?? r.separator}-separated` : '';
  process.stdout.write(
    `import ${run.id} (${run.mode}${separator}): ${counted(r.rows, 'row')}, ${r.valid} valid, ${r.invalid} invalid, ${r.alreadyPresent} already present, ${r.toCreate} to create\n`,
  );
  if (r.membershipLimit)
    process.stdout.write(
      `the membership limit (${r.membershipLimit.limit}) would be exceeded: the organization has ${r.membershipLimit.count} members and the file adds ${r.membershipLimit.adding}\n`,
    );
  if (run.previousApply)
    process.stdout.write(
      `this file was already imported in this mode (import ${run.previousApply.id}, ${run.previousApply.appliedAt}, ${run.previousApply.created} created)\n`,
    );
}

function progressBar(done: number, total: number): void {
  const width = 30;
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(share * 100)}% (line ${done} of ${total})`,
  );
}

async function applyAndWait(
  client: ApiClient,
  id: string,
  skipInvalid: boolean,
): Promise<ImportRun> {
  let run = await client.request<ImportRun>('POST', `/api/v1/imports/${id}/apply`, { skipInvalid });
  const tty = process.stderr.isTTY === true;
  while (run.status === 'applying') {
    if (tty) progressBar(run.progress.appliedThroughLine, run.progress.lastLine);
    await new Promise((resolve) => setTimeout(resolve, 200));
    run = await client.request<ImportRun>('GET', `/api/v1/imports/${id}`);
  }
  if (tty) {
    progressBar(run.progress.lastLine, run.progress.lastLine);
    process.stderr.write('\n');
  }
  if (run.status === 'failed') throw new ImportFailed(run.error ?? 'the import failed');
  return run;
}

function printApplied(run: ImportRun): void {
  if (run.created === 0) {
    process.stdout.write(
      `nothing was created: ${run.alreadyPresent === 1 ? 'the 1 valid row is' : `all ${run.alreadyPresent} valid rows are`} already present${run.previousApply ? ` (this file was imported before: import ${run.previousApply.id})` : ''}\n`,
    );
    return;
  }
  process.stdout.write(
    `applied import ${run.id}: ${run.created} created, ${run.alreadyPresent} already present, ${counted(run.report.invalid, 'invalid row')} left out\n`,
  );
}

interface RunFlags {
  file: string;
  apply?: boolean;
  skipInvalid?: boolean;
  defaultEmail?: string;
  language?: string;
  message?: string;
  source?: string;
}

async function importFile(
  command: Command,
  flags: RunFlags,
  params: Record<string, string | undefined>,
): Promise<void> {
  try {
    if (!statSync(flags.file).isFile()) throw new Error('not a file');
  } catch {
    throw new ImportFailed(`cannot read ${flags.file}`);
  }
  await withClient(command, async (client, json) => {
    const run = await client.upload<ImportRun>(
      `/api/v1/imports${query({ ...params, fileName: path.basename(flags.file), defaultEmail: flags.defaultEmail, language: flags.language, message: flags.message, source: flags.source })}`,
      createReadStream(flags.file),
      'text/csv',
    );
    const blocked =
      run.report.fileError ||
      run.report.membershipLimit !== null ||
      (run.report.invalid > 0 && !flags.skipInvalid);
    if (!flags.apply || blocked) {
      if (json) printJson(run);
      else {
        printReport(run);
        process.stdout.write(
          flags.apply
            ? 'nothing was written\n'
            : `nothing was written; to apply: provisiond import apply ${run.id}${run.report.invalid > 0 ? ' --skip-invalid' : ''}\n`,
        );
      }
      if (blocked)
        throw new ImportFailed(
          run.report.membershipLimit
            ? 'the file would exceed the membership limit'
            : 'the file is not valid: see the report',
        );
      return;
    }
    if (!json) printReport(run);
    const applied = await applyAndWait(client, run.id, flags.skipInvalid ?? false);
    if (json) printJson(applied);
    else printApplied(applied);
  });
}

export function importCommand(): Command {
  const command = new Command('import').description(
    'bulk import of members from CSV and CreateUsers files: validate, then apply',
  );

  command
    .command('modes')
    .description('the CSV import modes and their header lines')
    .action(async (_flags, sub: Command) => {
      await withClient(sub, async (client, json) => {
        const modes = await client.request<{
          items: Array<{ id: string; title: string; header: string }>;
        }>('GET', '/api/v1/imports/modes');
        if (json) return printJson(modes);
        printTable(modes.items, [
          { header: 'mode', value: (m) => m.id },
          { header: 'header line', value: (m) => m.header },
          { header: 'for', value: (m) => m.title },
        ]);
      });
    });

  command
    .command('template <mode>')
    .description(`print the CSV template of a mode (${MODE_IDS.join(', ')})`)
    .addOption(
      new Option('--language <language>', 'the language of the header line')
        .choices([...TEMPLATE_LANGUAGES])
        .default('en'),
    )
    .action(async (mode: string, flags: { language: string }, sub: Command) => {
      if (!(MODE_IDS as readonly string[]).includes(mode)) {
        sub.error(`unknown mode ${JSON.stringify(mode)}; one of ${MODE_IDS.join(', ')}`, {
          exitCode: 2,
        });
      }
      await withClient(sub, async (client) =>
        process.stdout.write(
          await client.text(`/api/v1/imports/templates/${mode}?language=${flags.language}`),
        ),
      );
    });

  const runOptions = (c: Command) =>
    c
      .requiredOption('--file <file>', 'the file to import')
      .option(
        '--default-email <email>',
        'email for rows that have none (an administrator address may stand in)',
      )
      .option(
        '--apply',
        'write the valid rows once the file is validated (without it nothing is written)',
      )
      .option(
        '--skip-invalid',
        'with --apply: leave invalid rows out instead of refusing the file',
      );

  runOptions(
    command.command('csv').description('validate (and with --apply import) a CSV or text file'),
  )
    .addOption(
      new Option('--mode <mode>', 'the add or invite mode whose header set the file uses')
        .choices([...MODE_IDS])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--language <language>',
        'invite modes: the language of the invitation mails',
      ).choices([...MAIL_LANGUAGES]),
    )
    .option('--message <text>', 'invite modes: a message added to the invitation mails')
    .option(
      '--source <name>',
      'add-org-ids: the SAML or OpenID Connect source the IDs belong to (needed when several are configured)',
    )
    .action(async (flags: RunFlags & { mode: string }, sub: Command) =>
      importFile(sub, flags, { format: 'csv', mode: flags.mode }),
    );

  runOptions(
    command
      .command('createusers')
      .description('validate (and with --apply import) a CreateUsers pipe-delimited file'),
  )
    .addOption(
      new Option('--idp <idp>', 'enterprise logins or built-in accounts')
        .choices(['enterprise', 'builtin'])
        .default('enterprise'),
    )
    .action(async (flags: RunFlags & { idp: string }, sub: Command) =>
      importFile(sub, flags, { format: 'createusers', idp: flags.idp }),
    );

  command
    .command('show <id>')
    .description('show an import: its report and progress')
    .action(async (id: string, _flags, sub: Command) => {
      await withClient(sub, async (client, json) => {
        const run = await client.request<ImportRun>(
          'GET',
          `/api/v1/imports/${encodeURIComponent(id)}`,
        );
        if (json) return printJson(run);
        printReport(run);
        process.stdout.write(
          `status: ${run.status}${run.error ? ` (${run.error})` : ''}; created ${run.created}, already present ${run.alreadyPresent}\n`,
        );
      });
    });

  command
    .command('apply <id>')
    .description('apply a validated import (resumes one that was interrupted)')
    .option('--skip-invalid', 'leave invalid rows out')
    .action(async (id: string, flags: { skipInvalid?: boolean }, sub: Command) => {
      await withClient(sub, async (client, json) => {
        const run = await applyAndWait(client, encodeURIComponent(id), flags.skipInvalid ?? false);
        if (json) printJson(run);
        else printApplied(run);
      });
    });
  return command;
}
