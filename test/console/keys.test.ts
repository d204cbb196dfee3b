import test from 'ava';
import { checkScreen, clipboardText, openChromium } from '../helpers/chromium.ts';
import { databaseKinds } from '../helpers/databases.ts';
import {
  cli,
  createMember,
  firstAdministrator,
  signInThroughConsole,
  startConsoleDaemon,
} from '../helpers/console.ts';

// API keys: created with the secret shown once (copied, and working as a bearer token), never
// shown again; deleted with what it owned transferred to an eligible member (only those are
// offered); the deleted key stops working.

for (const kind of databaseKinds()) {
  test.serial(`${kind}: API key create (secret once) and delete with transfer`, async (t) => {
    t.timeout(15 * 60_000);
    const daemon = await startConsoleDaemon(kind);
    const browser = await openChromium();
    const { page } = browser;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      const olga = await createMember(daemon, 'olga.owner', { role: 'Publisher' });
      const reader = JSON.parse(
        await cli(daemon, [
          '--json',
          'keys',
          'create',
          '--title',
          'reader',
          '--role',
          'viewer',
          '--expires-in-days',
          '365',
        ]),
      ).secret as string;
      await createMember(daemon, 'vic.viewer', { role: 'Viewer', userType: 'Viewer' });
      await signInThroughConsole(page, `${daemon.url}/console/keys`, 'ada.admin');
      await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();

      await page.getByRole('button', { name: 'Create an API key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create an API key' });
      await dialog.getByRole('button', { name: 'Create an API key' }).click();
      await dialog.getByText('is required').waitFor();
      t.is(await dialog.getByLabel('Name').getAttribute('aria-invalid'), 'true');
      await dialog.getByLabel('Name').fill('Reporting');
      await dialog.getByLabel('Access').selectOption('editor');
      await dialog.getByRole('button', { name: 'Create an API key' }).click();
      const secret = (await dialog.locator('code.secret').textContent()) ?? '';
      t.true(secret.length > 20);
      await dialog.getByRole('button', { name: 'Copy the secret' }).click();
      await dialog.getByText('Copied').waitFor();
      t.is(await clipboardText(page), secret);
      await checkScreen(t, page, 'keys-secret-once');
      await dialog.getByRole('button', { name: 'Close' }).click();
      // Closing re-renders after the click returns; then no copy of the secret may be left anywhere.
      await dialog.locator('code.secret').waitFor({ state: 'detached' });
      t.false((await page.content()).includes(secret), 'the secret is gone from the page');

      // The key works, and owns a resource it creates.
      const created = await fetch(`${daemon.url}/api/v1/resources`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'report', name: 'Quarterly report' }),
      });
      t.is(created.status, 201, await created.clone().text());
      const resource = (await created.json()) as { id: string };

      await page.getByRole('cell', { name: 'Reporting', exact: true }).waitFor();
      await checkScreen(t, page, 'keys-list');
      await page.getByRole('button', { name: 'Delete the key Reporting' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete the key Reporting' });
      const target = confirm.getByLabel('Transfer what they own to');
      await target.locator('option', { hasText: 'olga.owner' }).waitFor({ state: 'attached' });
      const offered = await target.locator('option').allTextContents();
      t.false(offered.includes('vic.viewer'), 'a viewer cannot own resources: not offered');
      await target.selectOption({ label: 'olga.owner' });
      await confirm.getByRole('button', { name: 'Delete' }).click();
      await page.getByText('The API key was deleted.').waitFor();

      const after = await fetch(`${daemon.url}/api/v1/members`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      t.is(after.status, 401, 'the deleted key stops working');
      const shown = await fetch(`${daemon.url}/api/v1/resources/${resource.id}`, {
        headers: { authorization: `Bearer ${reader}` },
      });
      t.like(await shown.json(), { owner: { type: 'member', id: olga.id } });
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
