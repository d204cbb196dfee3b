import test from 'ava';
import type { Page } from 'playwright-core';
import { checkScreen, openChromium } from '../helpers/chromium.ts';
import { databaseKinds } from '../helpers/databases.ts';
import {
  cli,
  firstAdministrator,
  PASSWORD,
  signInThroughConsole,
  startConsoleDaemon,
} from '../helpers/console.ts';

// Organization settings: a refused save (an expiry past the API's bound) shows the API's message
// by the field and changes nothing, not even the fields that were fine; then the defaults for new
// members are changed (only compatible roles offered), and a member added afterwards receives them.

async function apiGet<T>(page: Page, url: string): Promise<T> {
  const answer = await page.request.get(url);
  if (!answer.ok()) throw new Error(`${url}: ${answer.status()} ${await answer.text()}`);
  return (await answer.json()) as T;
}

interface Organization {
  name: string;
  invitationExpiryDays: number;
  allowAdminInvitations: boolean;
  newMemberDefaults: Record<string, unknown>;
}

for (const kind of databaseKinds()) {
  test.serial(`${kind}: organization settings and the defaults for new members`, async (t) => {
    t.timeout(15 * 60_000);
    const daemon = await startConsoleDaemon(kind);
    const browser = await openChromium();
    const { page } = browser;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      await cli(daemon, ['groups', 'create', 'Field team']);
      await cli(daemon, ['licenses', 'create', 'Drone', '--user-type', 'Professional']);
      await cli(daemon, [
        'roles',
        'create',
        'Partner',
        '--privilege',
        'view',
        '--parameter',
        'Vertex ID',
      ]);
      await signInThroughConsole(page, `${daemon.url}/console/settings`, 'ada.admin');
      await page.getByRole('heading', { name: 'Organization settings', level: 1 }).waitFor();
      const orgUrl = `${daemon.url}/api/v1/organization`;
      const before = await apiGet<Organization>(page, orgUrl);
      await checkScreen(t, page, 'settings');

      // A bad value: the API refuses it, says why next to the field, and nothing is saved.
      await page.getByLabel('Name', { exact: true }).fill('Renamed before the refusal');
      const expiry = page.getByLabel('Invitations expire after (days)');
      await expiry.fill('400');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Nothing was saved').waitFor();
      t.is(await expiry.getAttribute('aria-invalid'), 'true');
      const message = await page
        .locator(`#${(await expiry.getAttribute('aria-describedby'))?.split(' ').at(-1)}`)
        .textContent();
      t.regex(message ?? '', /365/, 'the API message names the bound');
      await checkScreen(t, page, 'settings-refused');
      t.deepEqual(
        await apiGet<Organization>(page, orgUrl),
        before,
        'the refused save changed nothing',
      );

      // Only roles the user type allows, and none that needs a parameter, are offered.
      const userType = page.getByLabel('User type', { exact: true });
      const role = page.getByLabel('Role', { exact: true });
      await userType.selectOption('Viewer');
      t.deepEqual(await role.locator('option').allTextContents(), ['Viewer']);
      await userType.selectOption('Professional');
      const offered = await role.locator('option').allTextContents();
      t.true(offered.includes('Publisher'));
      t.false(offered.includes('Partner'), 'a role that needs a parameter is never a default');
      await role.selectOption('Publisher');
      await page.getByRole('checkbox', { name: 'Field team' }).check();
      await page.getByRole('checkbox', { name: /Drone/ }).check();
      await page.getByLabel('Categories').fill('north, survey');
      await page.getByLabel('Credits').fill('25');
      await page.getByLabel('Settings', { exact: true }).fill('{"theme": "dark"}');
      await page
        .getByRole('checkbox', { name: 'Invitations may grant administrator roles' })
        .check();
      await expiry.fill('21');
      await page.getByLabel('Name', { exact: true }).fill('Harbour Works');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.').waitFor();
      t.is(await expiry.getAttribute('aria-invalid'), 'false');
      await checkScreen(t, page, 'settings-saved');
      t.like(await apiGet<Organization>(page, orgUrl), {
        name: 'Harbour Works',
        invitationExpiryDays: 21,
        allowAdminInvitations: true,
        newMemberDefaults: {
          userType: 'Professional',
          role: 'Publisher',
          groups: ['Field team'],
          licenses: ['Drone'],
          categories: ['north', 'survey'],
          credits: 25,
          settings: { theme: 'dark' },
        },
      });

      // A member added now, with no role or user type given, receives the defaults.
      await page.goto(`${daemon.url}/console/members/add`);
      await page.getByRole('radio', { name: /Add without invitation/ }).check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Email', { exact: true }).fill('nina.new@example.org');
      await page.getByLabel('Username').fill('nina.new');
      await page.getByLabel('First name').fill('Nina');
      await page.getByLabel('Last name').fill('New');
      await page.getByLabel('Temporary password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByRole('heading', { name: '1 member added or invited' }).waitFor();
      const nina = await apiGet<Record<string, unknown>>(
        page,
        `${daemon.url}/api/v1/members/nina.new`,
      );
      t.like(nina, {
        userType: { name: 'Professional' },
        role: { name: 'Publisher' },
        licenses: ['Drone'],
        categories: ['north', 'survey'],
        credits: 25,
        settings: { theme: 'dark' },
      });
      t.deepEqual(
        (nina.groups as Array<{ name: string }>).map((g) => g.name),
        ['Field team'],
      );

      // The same screen in French and German.
      await page.goto(`${daemon.url}/console/settings`);
      // The JSON hint holds literal braces, which the message format must not take for a value.
      for (const [language, title, hint] of [
        ['fr', 'Paramètres de l’organisation', 'Un objet JSON, par exemple {"theme": "dark"}.'],
        ['de', 'Organisationseinstellungen', 'Ein JSON-Objekt, zum Beispiel {"theme": "dark"}.'],
      ] as const) {
        await page.getByLabel(/^(Language|Langue|Sprache)$/).selectOption(language);
        await page.getByRole('heading', { name: title, level: 1 }).waitFor();
        await page.getByText(hint).waitFor();
        await checkScreen(t, page, `settings-${language}`);
      }
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
