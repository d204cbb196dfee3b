import { readFile } from 'node:fs/promises';
import test from 'ava';
import type { Page } from 'playwright-core';
import { checkScreen, openChromium } from '../helpers/chromium.ts';
import {
  cli,
  type ConsoleDaemon,
  firstAdministrator,
  signInThroughConsole,
  startConsoleDaemon,
} from '../helpers/console.ts';
import { databaseKinds } from '../helpers/databases.ts';

// Import: bad files are refused with a clear message and write nothing; a CSV with a bad row is
// validated, the row's error stands under its cell, the row is fixed (and another removed) in
// the page, the file validated again and applied with a progress bar; the members exist. The
// template downloads with its header line in the page's language.

const HEADER = 'Email,First Name,Last Name,Username,Password,User Type,Role';
const CSV = [
  HEADER,
  'ada.l@example.org,Ada,Lovelace,ada.lovelace,Analytical-1843x,Creator,User',
  'grace.example.org,Grace,Hopper,grace.hopper,Compiler-1952x,Creator,User',
  'alan@example.org,Alan,Turing,alan.turing,Enigma-1912-xyz,Astronaut,User',
].join('\r\n');

const file = (name: string, text: string | Buffer, mimeType = 'text/csv') => ({
  name,
  mimeType,
  buffer: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'),
});

async function usernames(daemon: ConsoleDaemon, key: string): Promise<string[]> {
  const answer = await fetch(`${daemon.url}/api/v1/members?pageSize=100&sort=username`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const body = (await answer.json()) as { items: Array<{ username: string; email: string }> };
  return body.items.map((m) => `${m.username} <${m.email}>`);
}

/** Drops a file on the drop zone, as a file dragged from the desktop is. */
async function dropFile(page: Page, name: string, text: string): Promise<void> {
  const transfer = await page.evaluateHandle(
    ([fileName, content]) => {
      const data = new DataTransfer();
      data.items.add(new File([content], fileName, { type: 'text/csv' }));
      return data;
    },
    [name, text] as const,
  );
  await page.locator('fieldset.drop').dispatchEvent('drop', { dataTransfer: transfer });
}

async function downloadTemplate(page: Page, linkName: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: linkName }).click(),
  ]);
  return readFile((await download.path())!, 'utf8');
}

for (const kind of databaseKinds()) {
  test.serial(`${kind}: import a CSV, fix a bad row in the page, apply`, async (t) => {
    t.timeout(15 * 60_000);
    const daemon = await startConsoleDaemon(kind);
    const browser = await openChromium();
    const { page } = browser;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      const viewer = JSON.parse(
        await cli(daemon, [
          '--json',
          'keys',
          'create',
          '--title',
          'check',
          '--role',
          'viewer',
          '--expires-in-days',
          '30',
        ]),
      ).secret as string;
      const before = await usernames(daemon, viewer);
      await signInThroughConsole(page, `${daemon.url}/console/import`, 'ada.admin');
      await page.getByRole('heading', { name: 'Import members', level: 1 }).waitFor();
      t.is(
        await page.getByRole('link', { name: 'Import', exact: true }).getAttribute('aria-current'),
        'page',
      );
      await checkScreen(t, page, 'import-choose');

      // The template, in the page's language; the French one too after switching.
      t.is(
        await downloadTemplate(
          page,
          'Download the template for “Add members without sending invitations”',
        ),
        `${HEADER}\r\n`,
      );
      await page.getByLabel('Language').selectOption('fr');
      t.is(
        await downloadTemplate(
          page,
          'Télécharger le modèle « Ajouter des membres sans envoyer d’invitation »',
        ),
        'Adresse électronique,Prénom,Nom,Nom d’utilisateur,Mot de passe,Type d’utilisateur,Rôle\r\n',
      );
      await page.getByLabel('Langue').selectOption('en');

      // Bad files: each says what is wrong, and nothing is written.
      const input = page.getByLabel('File to import');
      await input.setInputFiles(
        file('members.xlsx', Buffer.from([0x50, 0x4b, 3, 4]), 'application/vnd.ms-excel'),
      );
      await page.getByText('This is not a CSV or text file.').waitFor();
      await input.setInputFiles(file('empty.csv', ''));
      await page.getByText('The file is empty: it needs a header line').waitFor();
      await input.setInputFiles(file('wrong.csv', 'Mail,Given,Family\r\na@example.org,A,B\r\n'));
      await page.getByText('This file cannot be imported. Nothing was written.').waitFor();
      await page.getByText(/column 1: unknown header "Mail" for mode add/).waitFor();
      await input.setInputFiles(file('picture.csv', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x0a])));
      await page.getByText(/the file is not UTF-8 text/).waitFor();
      t.deepEqual(await usernames(daemon, viewer), before, 'refused files wrote nothing');

      // One bad email, one unknown user type: each error stands under its cell. Dropped this time.
      const runs: string[] = [];
      page.on('response', async (response) => {
        if (response.request().method() === 'POST' && /\/api\/v1\/imports\?/.test(response.url()))
          runs.push(((await response.json()) as { id: string }).id);
      });
      await dropFile(page, 'members.csv', CSV);
      await page.getByRole('heading', { name: 'Validation of members.csv' }).waitFor();
      const email = page.getByRole('textbox', { name: 'Email, line 3' });
      t.is(await email.inputValue(), 'grace.example.org');
      t.is(await email.getAttribute('aria-invalid'), 'true');
      const emailError = await email.getAttribute('aria-describedby');
      t.regex(
        (await page.locator(`[id="${emailError}"]`).textContent()) ?? '',
        /must look like name@domain/,
      );
      const userType = page.getByRole('textbox', { name: 'User Type, line 4' });
      t.is(await userType.getAttribute('aria-invalid'), 'true');
      t.is(
        await page.getByRole('textbox', { name: 'Username, line 3' }).getAttribute('aria-invalid'),
        'false',
      );
      t.false(
        await page.getByRole('textbox', { name: 'Email, line 2' }).isVisible(),
        'a valid row is not listed',
      );
      t.is(
        await page.getByLabel('Password, line 3').getAttribute('type'),
        'password',
        'passwords are not shown',
      );
      await page.getByText('2 rows have errors.').waitFor();
      t.true(await page.getByRole('button', { name: 'Apply: create 1' }).isDisabled());
      await checkScreen(t, page, 'import-report-errors');

      await email.fill('grace@example.org');
      await page.getByRole('button', { name: 'Remove line 4' }).click();
      await page.getByText('You changed the rows: validate again before applying.').waitFor();
      t.false(await page.getByRole('textbox', { name: 'User Type, line 4' }).isVisible());
      await page.getByRole('button', { name: 'Validate again' }).click();
      await page.getByText('The file is valid: 2 members or invitations to create.').waitFor();
      t.is(
        await page.getByRole('textbox', { name: 'Email, line 3' }).getAttribute('aria-invalid'),
        'false',
        'the fixed row is shown, without error',
      );
      await checkScreen(t, page, 'import-report-fixed');
      t.deepEqual(await usernames(daemon, viewer), before, 'validation wrote no member');

      await page.getByRole('button', { name: 'Apply: create 2' }).click();
      await page.getByRole('heading', { name: 'Applying the import' }).waitFor();
      await page.getByText('Import applied: 2 created, 0 already present.').waitFor();
      t.is(await page.getByRole('progressbar', { name: 'Progress' }).getAttribute('value'), '3');
      await checkScreen(t, page, 'import-applied');

      t.deepEqual(
        (await usernames(daemon, viewer)).filter((m) => !before.includes(m)),
        ['ada.lovelace <ada.l@example.org>', 'grace.hopper <grace@example.org>'],
      );
      // The first validation was discarded with its file when the second replaced it.
      t.is(runs.length, 2);
      const runOf = (id: string) =>
        fetch(`${daemon.url}/api/v1/imports/${id}`, {
          headers: { authorization: `Bearer ${viewer}` },
        });
      t.is((await runOf(runs[0]!)).status, 404);
      t.like(await (await runOf(runs[1]!)).json(), { status: 'applied', created: 2 });

      // A CreateUsers file: no header, each line one cell; a line without a user type is fixed.
      await page.getByRole('button', { name: 'Import another file' }).click();
      await page.getByRole('radio', { name: /CreateUsers file: enterprise accounts/ }).check();
      await page.getByLabel('Email for rows without one (optional)').fill('it@domain.com');
      await input.setInputFiles(
        file(
          'accounts.txt',
          'jcho111@DOMAIN|jcho@domain.com|Jon Cho|user|creatorUT\nsrajhandas@DOMAIN|srajhandas@domain.com|Satish Rajhandas|user\nkiosk@DOMAIN|false|Kiosk|viewer|viewerUT\n',
          'text/plain',
        ),
      );
      const line = page.getByRole('textbox', { name: 'Line of the file, line 2' });
      t.is(await line.getAttribute('aria-invalid'), 'false');
      await page.getByText('has 4 fields; an enterprise line needs at least 5').waitFor();
      await checkScreen(t, page, 'import-createusers-report');
      await line.fill('srajhandas@DOMAIN|srajhandas@domain.com|Satish Rajhandas|user|creatorUT');
      await page.getByRole('button', { name: 'Validate again' }).click();
      await page.getByText('The file is valid: 3 members or invitations to create.').waitFor();
      await page.getByRole('button', { name: 'Apply: create 3' }).click();
      await page.getByText('Import applied: 3 created, 0 already present.').waitFor();
      const added = await usernames(daemon, viewer);
      t.true(added.includes('jcho111@DOMAIN <jcho@domain.com>'), added.join(', '));
      t.true(added.includes('srajhandas@DOMAIN <srajhandas@domain.com>'), added.join(', '));
      t.true(added.includes('kiosk@DOMAIN <it@domain.com>'), 'the email for rows without one');
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
