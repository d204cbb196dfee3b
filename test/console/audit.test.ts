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

// The role catalog and the audit log: an administrator creates a custom role in the catalog
// (with an optional parameter), edits and deletes it, and creates a group; the audit log shows
// these actions under their name, filtered by actor, by action, and by time.

for (const kind of databaseKinds()) {
  test.serial(`${kind}: catalog role changes and the audit log filters`, async (t) => {
    t.timeout(15 * 60_000);
    const daemon = await startConsoleDaemon(kind);
    const browser = await openChromium();
    const { page } = browser;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      await createMember(daemon, 'mia.member');
      // Enough entries by another actor (an API key) for a second page of the log.
      const key = JSON.parse(
        await cli(daemon, [
          '--json',
          'keys',
          'create',
          '--title',
          'loader',
          '--role',
          'editor',
          '--expires-in-days',
          '30',
        ]),
      ).secret as string;
      for (let i = 1; i <= 50; i++) {
        const made = await fetch(`${daemon.url}/api/v1/groups`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Loaded ${i}` }),
        });
        t.is(made.status, 201);
      }
      await signInThroughConsole(page, `${daemon.url}/console/catalog`, 'ada.admin');
      await page.getByRole('heading', { name: 'Roles and user types', level: 1 }).waitFor();
      const viewerType = page.getByRole('row', { name: /viewerUT/ });
      t.regex((await viewerType.textContent()) ?? '', /View.*Viewer/);
      await checkScreen(t, page, 'catalog');

      await page.getByRole('button', { name: 'Create a role' }).click();
      const create = page.getByRole('dialog', { name: 'Create a role' });
      await create.getByLabel('Name', { exact: true }).fill('Auditor');
      await create.getByRole('checkbox', { name: 'View' }).uncheck();
      await create.getByRole('button', { name: 'Save' }).click();
      await create.getByText('choose at least one privilege').waitFor();
      await create.getByRole('checkbox', { name: 'View' }).check();
      await create.getByRole('checkbox', { name: 'Share' }).check();
      await create.getByLabel('Parameter name').fill('Region');
      await create.getByRole('checkbox', { name: 'Every grant must give the parameter' }).uncheck();
      await checkScreen(t, page, 'catalog-role-dialog');
      await create.getByRole('button', { name: 'Save' }).click();
      await page.getByText('The role Auditor was saved.').waitFor();
      const row = page.getByRole('row', { name: /^Auditor/ });
      t.regex((await row.textContent()) ?? '', /View, Share.*Region \(optional\)/);

      await page.getByRole('button', { name: 'Edit the role Auditor' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit the role Auditor' });
      await edit.getByLabel('Exclusive set').fill('Oversight');
      await edit.getByRole('button', { name: 'Save' }).click();
      await page.getByText('The role Auditor was saved.').waitFor();
      await row.getByText('Oversight').waitFor();
      await page.getByRole('button', { name: 'Delete the role Auditor' }).click();
      await page
        .getByRole('dialog', { name: 'Delete the role Auditor' })
        .getByRole('button', { name: 'Delete' })
        .click();
      await page.getByText('The role Auditor was deleted.').waitFor();
      await row.waitFor({ state: 'detached' });

      await page.getByRole('link', { name: 'Groups' }).click();
      await page.getByLabel('Group name').fill('Auditors');
      await page.getByRole('button', { name: 'Create the group' }).click();
      await page.getByText('The group Auditors was created.').waitFor();
      await page.getByRole('link', { name: 'Auditors' }).click();
      await page.getByLabel('Username of the member to add').fill('mia.member');
      await page.getByRole('button', { name: 'Add to the group' }).click();
      await page.getByText('mia.member was added to the group.').waitFor();

      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      const actions = () => page.locator('tbody tr td:nth-child(3)').allTextContents();
      const actors = () => page.locator('tbody tr td:nth-child(2)').allTextContents();
      await page.locator('tbody tr').first().waitFor();
      t.is(await page.locator('tbody tr').count(), 50);
      const total = Number(
        /\((\d+) in all\)/.exec((await page.locator('.pager').textContent()) ?? '')?.[1],
      );
      t.true(total > 50 && total <= 100);
      await checkScreen(t, page, 'audit');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.waitForURL(/page=2/);
      await page.getByText(`Page 2 of 2 (${total} in all)`).waitFor();
      t.is(await page.locator('tbody tr').count(), total - 50);
      t.true(
        (await actions()).includes('member.create'),
        'the oldest entries: the CLI made the members',
      );

      await page.getByLabel('Actor').fill('ada.admin');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/actor=ada.admin/);
      await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 5);
      t.deepEqual(await actions(), [
        'group.member.add',
        'group.create',
        'role.delete',
        'role.update',
        'role.create',
      ]);
      t.is(await page.locator('tbody tr').first().locator('td').last().textContent(), 'mia.member');
      t.true((await actors()).every((a) => a.startsWith('ada.admin')));

      await page.getByLabel('Action', { exact: true }).fill('role.create');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/action=role.create/);
      await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
      t.regex((await page.locator('tbody tr').textContent()) ?? '', /role: Auditor/);
      await page.getByText('Page 1 of 1 (1 in all)').waitFor();
      await checkScreen(t, page, 'audit-filtered');

      // From tomorrow on, nothing has happened yet.
      const tomorrow = new Date(Date.now() + 86_400_000);
      const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000)
        .toISOString()
        .slice(0, 16);
      await page.getByLabel('From').fill(local);
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByText('No entry matches.').waitFor();
      t.regex(page.url(), /since=/);

      // A group's entry leads to the group.
      await page.goto(`${daemon.url}/console/audit?action=group.member.add`);
      await page.locator('tbody tr').getByRole('link').click();
      await page.getByRole('heading', { name: 'Auditors', level: 1 }).waitFor();
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
