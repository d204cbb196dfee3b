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

// A scope administrator (who redeemed an Administrator code of one group) gets the same console
// limited to that group: the navigation offers members, invitations and codes only, the first
// screen is the group's members, and nobody outside the group shows.

for (const kind of databaseKinds()) {
  test.serial(`${kind}: a scope administrator sees only their group`, async (t) => {
    t.timeout(15 * 60_000);
    const daemon = await startConsoleDaemon(kind);
    const browser = await openChromium();
    const { page } = browser;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      await createMember(daemon, 'sam.scoped', { role: 'Viewer' });
      await createMember(daemon, 'nina.north');
      await createMember(daemon, 'otto.outside');
      await cli(daemon, ['groups', 'create', 'North']);
      await cli(daemon, ['groups', 'add', 'North', 'nina.north']);
      const { codes } = JSON.parse(
        await cli(daemon, [
          'codes',
          'create',
          '--role',
          'Administrator',
          '--scope',
          'North',
          '--json',
        ]),
      );
      await cli(daemon, ['codes', 'redeem', codes[0], '--member', 'sam.scoped']);

      await signInThroughConsole(page, `${daemon.url}/console/`, 'sam.scoped');
      await page.getByRole('cell', { name: 'nina.north', exact: true }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Console' });
      t.deepEqual(await nav.getByRole('link').allTextContents(), [
        'Members',
        'Add members',
        'Invitations',
        'Invitation codes',
      ]);
      const usernames = await page.locator('tbody tr td:first-child').allTextContents();
      t.deepEqual(usernames.sort(), ['nina.north', 'sam.scoped']);
      t.false(usernames.includes('otto.outside'));
      t.false(usernames.includes('ada.admin'));
      await checkScreen(t, page, 'scope-admin-members');

      // Adding from a directory is the organization administrators': not offered here.
      await nav.getByRole('link', { name: 'Add members' }).click();
      await page.getByRole('radio', { name: /Invite with an account of their choice/ }).waitFor();
      t.is(await page.getByRole('radio').count(), 4);
      t.is(await page.getByRole('radio', { name: /From a directory/ }).count(), 0);

      // What is not theirs is refused by the API, and the screen says so rather than showing it.
      await page.goto(`${daemon.url}/console/keys`);
      await page.getByRole('alert').waitFor();
      t.is(await page.getByRole('cell', { name: 'ada.admin' }).count(), 0);
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
