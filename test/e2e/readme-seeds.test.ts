import { readFileSync } from 'node:fs';
import test from 'ava';
import { type DaemonProcess, runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// The README's examples for the rules taken word for word from the seeds, run as written against
// a fresh daemon: every `npx provisiond …` line of each section's example block, in order. A line
// followed by a `#   → refused: MESSAGE` comment must fail with that message; the others succeed.

interface Step {
  args: string[];
  refused?: string;
}

/** Splits a command line as a POSIX shell does for words, single and double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = pattern.exec(line); m; m = pattern.exec(line))
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  return out;
}

/** The steps of the first ```sh block after the heading. */
function examples(heading: string): Step[] {
  const readme = readFileSync('README.md', 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`the README has no heading ${heading}`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`no sh block under ${heading}`);
  const steps: Step[] = [];
  for (const line of block[1]!.split('\n')) {
    const refused = /^#\s+→ refused: (.+)$/.exec(line.trim());
    if (refused) steps[steps.length - 1]!.refused = refused[1]!;
    else if (line.startsWith('npx provisiond ')) steps.push({ args: words(line).slice(2) });
  }
  return steps;
}

const env = { PROVISIOND_DATA_DIR: tempDir('provisiond-readme-seeds-') };
let daemon: DaemonProcess | undefined;

test.before(async () => {
  daemon = await startDaemonProcess(env);
});
test.after.always(async () => {
  await daemon?.stop();
});

async function runExamples(
  t: { is: (a: unknown, b: unknown, m?: string) => void; true: (v: boolean, m?: string) => void },
  heading: string,
): Promise<Map<string, string>> {
  const outputs = new Map<string, string>();
  for (const step of examples(heading)) {
    const shown = step.args.join(' ');
    const result = await runCli(step.args, env);
    if (step.refused) {
      // 1: the daemon refused; 2: the command line is incomplete.
      t.true(result.code === 1 || result.code === 2, `${shown} is refused (exit ${result.code})`);
      t.true(result.stderr.includes(step.refused), `${shown}: ${result.stderr}`);
    } else {
      t.is(result.code, 0, `${shown}: ${result.stderr}`);
    }
    outputs.set(shown, result.stdout);
  }
  return outputs;
}

test.serial('Add-on licences: the README example runs as written', async (t) => {
  const outputs = await runExamples(t, '### Add-on licences');
  const overview = outputs.get('licenses list') ?? '';
  t.regex(overview, /ArcGIS Insights.*Creator, Professional.*│ 2 .*│ 1 .*│ 1 /);
  t.regex(outputs.get('members list --license ArcGIS Insights') ?? '', /ada\.lovelace/);
  t.regex(
    outputs.get('members list --license ArcGIS Insights') ?? '',
    /licences: ArcGIS Insights 1 in use \/ 1 available/,
  );
});

test.serial('Templates in your language: the README example runs as written', async (t) => {
  const outputs = await runExamples(t, '### Templates in your language');
  t.is(
    outputs.get('import template add --language fr'),
    'Adresse électronique,Prénom,Nom,Nom d’utilisateur,Mot de passe,Type d’utilisateur,Rôle\r\n',
  );
  t.is(outputs.get('import template invite-any --language de'), 'E-Mail,Benutzertyp,Rolle\r\n');
  t.is(
    outputs.get('import template add-org-ids'),
    'Email,First Name,Last Name,Identity type,ID,User Type,Role\r\n',
  );
});

test.serial('Usernames: the README example runs as written', async (t) => {
  const outputs = await runExamples(t, '### Usernames');
  t.regex(
    outputs.get(
      'members create --username ada.lovelace@corp --email ada@example.org --name Ada Lovelace',
    ) ?? '',
    /username\s+ada\.lovelace@corp/,
  );
});

test.serial(
  'Invitations without a role, optional role parameters: the README example runs as written',
  async (t) => {
    const outputs = await runExamples(
      t,
      '### Invitations without a role, optional role parameters',
    );
    t.regex(
      outputs.get('invitations create --email guest@example.org --no-role') ?? '',
      /guest@example\.org\s+pending\s+http/,
    );
    t.regex(outputs.get('roles list') ?? '', /default project \(optional\)/);
  },
);

test.serial('API keys: the README example runs as written', async (t) => {
  const outputs = await runExamples(t, '### API keys');
  t.regex(outputs.get('keys list') ?? '', /nightly report.*admin@example\.org/);
});

test.serial('Invitation codes: the README example runs as written', async (t) => {
  const outputs = await runExamples(t, '### Invitation codes');
  const created = JSON.parse(
    outputs.get('codes create --count 3 --validity 10 --role User --scope Default Group --json') ??
      '{}',
  );
  t.is(created.codes.length, 3);
  t.is(created.scope, 'Default Group');
  t.regex(
    outputs.get('codes create --role Site Host --role-parameter vertex-7') ?? '',
    /[0-9a-f-]{36}/,
  );
});
