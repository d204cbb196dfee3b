import test from 'ava';
import { checkScreen, openChromium } from '../helpers/chromium.ts';
import { databaseKinds } from '../helpers/databases.ts';
import {
  cli,
  createMember,
  firstAdministrator,
  signInThroughConsole,
  startConsoleDaemon,
} from '../helpers/console.ts';

// Members: search and filters in the address, sort, the detail (roles with their parameter,
// groups, identity links), role and user type (only compatible roles offered), disable and
// enable, and delete with what the member owned transferred to an eligible member.

for (const kind of databaseKinds()) {
  test.serial(`${kind}: members list, detail, edit, disable, delete with transfer`, async (t) => {
    t.timeout(15 * 60_000);
    const daemon = await startConsoleDaemon(kind);
    const browser = await openChromium();
    const { page } = browser;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      const dora = await createMember(daemon, 'dora.leaving', { role: 'Publisher' });
      await createMember(daemon, 'olga.owner', { role: 'Publisher' });
      await createMember(daemon, 'vic.viewer', { role: 'Viewer', userType: 'Viewer' });
      await cli(daemon, ['groups', 'create', 'Sales']);
      await cli(daemon, ['groups', 'add', 'Sales', 'dora.leaving']);
      const key = JSON.parse(
        await cli(daemon, [
          '--json',
          'keys',
          'create',
          '--title',
          'seed',
          '--role',
          'editor',
          '--expires-in-days',
          '365',
        ]),
      ).secret as string;
      const made = await fetch(`${daemon.url}/api/v1/resources`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'map', name: 'Sales map', owner: dora.id }),
      });
      t.is(made.status, 201, await made.clone().text());
      const resource = (await made.json()) as { id: string };

      await signInThroughConsole(page, `${daemon.url}/console/members`, 'ada.admin');
      await page.getByRole('link', { name: 'vic.viewer' }).waitFor();
      t.is(await page.locator('tbody tr').count(), 4);

      await page.getByLabel('Group').selectOption('Sales');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
      t.regex(page.url(), /group=Sales/);
      await page.getByLabel('Group').selectOption('');
      await page.getByLabel('Search by name, username or email').fill('o');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByRole('button', { name: /Username/ }).click();
      await page.waitForFunction(() =>
        document.querySelector('th[aria-sort="descending"]')?.textContent?.includes('Username'),
      );
      // The header turns at once; the rows follow when the sorted page has arrived.
      await page
        .waitForFunction(() => {
          const cells = [...document.querySelectorAll('tbody tr td:first-child')].map(
            (c) => c.textContent ?? '',
          );
          return cells.length > 1 && cells.join('\n') === [...cells].sort().reverse().join('\n');
        })
        .catch(() => {});
      const order = await page.locator('tbody tr td:first-child').allTextContents();
      t.deepEqual(order, [...order].sort().reverse(), 'sorted by username, descending');
      await checkScreen(t, page, 'members-list');

      await page.getByRole('link', { name: 'dora.leaving' }).click();
      await page.getByRole('heading', { name: 'dora.leaving', level: 1 }).waitFor();
      await page.getByText('Sales', { exact: true }).waitFor();
      await checkScreen(t, page, 'member-detail');

      // Only the roles the user type allows are offered.
      await page.getByLabel('User type', { exact: true }).selectOption('Viewer');
      t.deepEqual(
        await page.getByLabel('Role', { exact: true }).locator('option').allTextContents(),
        ['Viewer'],
      );
      await page.getByLabel('User type', { exact: true }).selectOption('Creator');
      await page.getByLabel('Role', { exact: true }).selectOption('User');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.').waitFor();
      await page.getByRole('cell', { name: /^User/ }).waitFor();

      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByRole('button', { name: 'Enable' }).waitFor();
      t.like(JSON.parse(await cli(daemon, ['--json', 'members', 'show', 'dora.leaving'])), {
        status: 'disabled',
        role: { name: 'User' },
      });
      await page.getByRole('button', { name: 'Enable' }).click();
      await page.getByRole('button', { name: 'Disable' }).waitFor();

      await page.getByRole('button', { name: 'Delete member' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete dora.leaving' });
      const target = dialog.getByLabel('Transfer what they own to');
      await target.locator('option', { hasText: 'olga.owner' }).waitFor({ state: 'attached' });
      const offered = await target.locator('option').allTextContents();
      t.false(offered.includes('vic.viewer'), 'a viewer may not own: not offered');
      t.false(offered.includes('dora.leaving'), 'not to herself');
      await target.selectOption({ label: 'olga.owner' });
      await checkScreen(t, page, 'member-delete');
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await page.waitForURL(/\/console\/members$/);
      await page.getByRole('link', { name: 'olga.owner' }).waitFor();
      t.is(await page.getByRole('link', { name: 'dora.leaving' }).count(), 0);
      const owned = await fetch(`${daemon.url}/api/v1/resources/${resource.id}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const olga = JSON.parse(await cli(daemon, ['--json', 'members', 'show', 'olga.owner']));
      t.like(await owned.json(), { owner: { type: 'member', id: olga.id } });
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
