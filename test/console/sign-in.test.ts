import test from 'ava';
import { databaseKinds } from '../helpers/databases.ts';
import { checkScreen, openChromium } from '../helpers/chromium.ts';
import {
  PASSWORD,
  cli,
  createMember,
  signInThroughConsole,
  startConsoleDaemon,
} from '../helpers/console.ts';

// The first administrator and the sign-in handoff: the console sends a signed-out browser to
// /auth/sign-in, which brings it back to the same deep link; without any administrator the
// sign-in page says how to create one; a member who is no administrator gets "not allowed";
// an unknown console address shows a page; the language follows the browser and the switch;
// a write without the CSRF token is refused.

for (const kind of databaseKinds()) {
  test.serial(`${kind}: first administrator, sign-in and back, not allowed, CSRF`, async (t) => {
    t.timeout(15 * 60_000);
    const daemon = await startConsoleDaemon(kind);
    const browser = await openChromium();
    const { page } = browser;
    try {
      await page.goto(`${daemon.url}/console/`);
      await page.waitForURL(/\/auth\/sign-in/);
      await page.getByText('npx provisiond admin create').waitFor();
      await checkScreen(t, page, 'sign-in-no-administrator');

      // The README's first step: admin create prints a one-time setup link; the administrator
      // chooses a password there, and is signed in.
      const setup = JSON.parse(
        await cli(daemon, [
          '--json',
          'admin',
          'create',
          '--username',
          'ada.admin',
          '--email',
          'ada@example.org',
        ]),
      ) as { link: string };
      await page.goto(setup.link.replace(/^https?:\/\/[^/]+/, daemon.url));
      await page.getByLabel('New password').fill(PASSWORD);
      await page.getByRole('button').click();
      await page.waitForURL(/\/auth\/sign-in/);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/auth\/sign-in/);
      await page.getByLabel(/username/i).waitFor();
      t.is(await page.getByText('npx provisiond admin create').count(), 0, 'no hint any more');

      await signInThroughConsole(page, `${daemon.url}/console/members?status=active`, 'ada.admin');
      t.regex(page.url(), /\/console\/members\?status=active$/, 'back at the deep link');
      await page.getByRole('link', { name: 'ada.admin' }).waitFor();
      t.is(await page.getByLabel('Status').inputValue(), 'active');

      await page.getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Members', level: 2 }).waitFor();
      await checkScreen(t, page, 'overview');

      await page.goto(`${daemon.url}/console/no/such/screen`);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      await checkScreen(t, page, 'not-found');

      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('link', { name: 'Aller à la vue d’ensemble' }).click();
      await page.getByRole('heading', { name: 'Vue d’ensemble', level: 1 }).waitFor();
      t.is(await page.locator('html').getAttribute('lang'), 'fr');
      await page.getByLabel('Langue').selectOption('en');

      // The session's CSRF token is what makes a write pass: the same request without it is
      // refused, and nothing is written.
      const refused = await page.evaluate(async () => {
        const response = await fetch('/api/v1/groups', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Forged' }),
        });
        return { status: response.status, body: await response.text() };
      });
      t.is(refused.status, 403, refused.body);
      t.regex(refused.body, /CSRF/);
      const groups = JSON.parse(await cli(daemon, ['--json', 'groups', 'list']));
      t.false(JSON.stringify(groups).includes('Forged'));

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/auth\/sign-in/);

      await createMember(daemon, 'bob.member', { role: 'User' });
      await signInThroughConsole(page, `${daemon.url}/console/members`, 'bob.member');
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
      await checkScreen(t, page, 'not-allowed');
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
