import test from 'ava';
import { clipboardText, checkScreen, openChromium } from '../helpers/chromium.ts';
import { databaseKinds } from '../helpers/databases.ts';
import {
  cli,
  createMember,
  firstAdministrator,
  signInThroughConsole,
  startConsoleDaemon,
} from '../helpers/console.ts';

// Invitation codes with the keyboard alone: the create dialog (the API's message next to the
// field it names, then 3 codes for a group), copy all, a member redeems one on the redeem page,
// the list filtered by status and scope, and a code disabled.

for (const kind of databaseKinds()) {
  test.serial(`${kind}: codes create, copy all, redeem, filters, disable`, async (t) => {
    t.timeout(15 * 60_000);
    const daemon = await startConsoleDaemon(kind);
    const browser = await openChromium();
    const { page } = browser;
    const keyboard = page.keyboard;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      await createMember(daemon, 'cleo.member', { role: 'Viewer', userType: 'Viewer' });
      await cli(daemon, ['groups', 'create', 'Sales']);
      await signInThroughConsole(page, `${daemon.url}/console/codes`, 'ada.admin');
      await page.getByRole('heading', { name: 'Invitation codes', level: 1 }).waitFor();

      // Keyboard only from here: Tab to the button, Enter, fill, Enter.
      const createButton = page.getByRole('button', { name: 'Create codes' });
      await createButton.waitFor();
      for (
        let i = 0;
        i < 30 && !(await createButton.evaluate((b) => b === document.activeElement));
        i++
      )
        await keyboard.press('Tab');
      await keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Create codes' });
      await dialog.waitFor();
      t.true(
        await dialog
          .getByLabel('Number of codes (1–10)')
          .evaluate((e) => e === document.activeElement),
      );
      await keyboard.press('Control+A');
      await keyboard.type('11');
      await keyboard.press('Enter');
      const count = dialog.getByLabel('Number of codes (1–10)');
      await dialog.getByText(/from 1 to 10/).waitFor();
      t.is(await count.getAttribute('aria-invalid'), 'true', 'the API message sits by the count');
      t.regex((await count.getAttribute('aria-describedby')) ?? '', /error/);
      await dialog.getByText('give at least one role the codes grant').waitFor();
      await checkScreen(t, page, 'codes-create-dialog');
      t.true(await count.evaluate((e) => e === document.activeElement));
      await keyboard.press('Control+A');
      await keyboard.type('3');
      await keyboard.press('Tab'); // validity
      await keyboard.press('Tab'); // roles
      await keyboard.type('Viewer');
      await keyboard.press('Tab'); // scope
      await keyboard.type('Sales');
      await keyboard.press('Tab'); // Create codes
      await keyboard.press('Enter');
      await dialog.getByText(/3 codes created/).waitFor();
      const codes = await dialog.locator('ul.codes code').allTextContents();
      t.is(codes.length, 3);
      t.true(
        await dialog
          .getByRole('button', { name: 'Copy all' })
          .evaluate((e) => e === document.activeElement),
        'the focus lands on Copy all',
      );
      await keyboard.press('Enter');
      await dialog.getByText('Copied').first().waitFor();
      const copied = await clipboardText(page);
      for (const code of codes) t.true(copied.includes(code), 'copy all has every code');
      t.true(copied.includes('Sales'), 'copy all names the scope');
      await checkScreen(t, page, 'codes-created');
      await keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      await page.getByRole('cell', { name: 'Sales', exact: true }).first().waitFor();
      t.is(await page.getByRole('cell', { name: 'Sales', exact: true }).count(), 3);
      await checkScreen(t, page, 'codes-list');

      // A member redeems one code on the redeem page.
      const member = await openChromium();
      try {
        await signInThroughConsole(member.page, `${daemon.url}/console/redeem`, 'cleo.member');
        await member.page.getByLabel('Invitation code').fill(codes[0]!);
        await member.page.getByRole('button', { name: 'Use the code' }).click();
        await member.page.getByText(/The code was accepted/).waitFor();
        await checkScreen(t, member.page, 'redeem');
        await member.page.getByLabel('Invitation code').fill(codes[0]!);
        await member.page.getByRole('button', { name: 'Use the code' }).click();
        await member.page.getByRole('alert').waitFor();
      } finally {
        await member.close();
      }

      // The filters and the disable button, by keyboard too.
      // A select picks the option whose text is typed; its type-ahead forgets after a second.
      const choose = async (label: string, text: string) => {
        await page.getByLabel(label).focus();
        await page.waitForTimeout(1100);
        await keyboard.type(text);
      };
      await choose('Status', 'Used');
      await page.getByRole('cell', { name: 'cleo.member', exact: true }).waitFor();
      t.is(await page.locator('tbody tr').count(), 1);
      await choose('Status', 'Valid');
      await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 2);
      await choose('Scope (organization or a group)', 'Sales');
      await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 2);
      t.regex(page.url(), /status=valid/);

      await page
        .getByRole('button', { name: /^Disable/ })
        .first()
        .focus();
      await keyboard.press('Enter');
      await page.getByText('The code was disabled.').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
      await choose('Status', 'Disabled');
      await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);

      // A role that needs a parameter: the dialog asks for it, and the API's refusal sits by it.
      await cli(daemon, [
        'roles',
        'create',
        'Site Host',
        '--privilege',
        'view',
        '--parameter',
        'Vertex ID',
      ]);
      await page.reload();
      await createButton.click();
      await dialog.getByLabel('Roles the codes grant').selectOption('Site Host');
      const parameter = dialog.getByLabel('Vertex ID for role Site Host');
      await dialog.getByRole('button', { name: 'Create codes' }).click();
      await dialog.getByText(/role Site Host needs a Vertex ID/).waitFor();
      t.is(await parameter.getAttribute('aria-invalid'), 'true');
      await parameter.fill('vertex-7');
      await dialog.getByRole('button', { name: 'Create codes' }).click();
      await dialog.getByText(/1 code created/).waitFor();
      const listed = JSON.parse(await cli(daemon, ['codes', 'list', '--json']));
      t.is(listed.items[0].roleParameter, 'vertex-7');
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
