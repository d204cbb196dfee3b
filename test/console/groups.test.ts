import test from 'ava';
import type { Page } from 'playwright-core';
import { checkScreen, openChromium } from '../helpers/chromium.ts';
import { databaseKinds } from '../helpers/databases.ts';
import {
  createMember,
  firstAdministrator,
  signInThroughConsole,
  startConsoleDaemon,
} from '../helpers/console.ts';

// Groups: create one, find it by search, rename it, add a member (an unknown username is refused
// with the API's message), remove one, and delete the group; the API agrees at each step.

async function groupsNamed(page: Page, base: string, search: string) {
  const answer = await page.request.get(
    `${base}/api/v1/groups?search=${encodeURIComponent(search)}`,
  );
  return (
    (await answer.json()) as { items: Array<{ id: string; name: string; memberCount: number }> }
  ).items;
}

for (const kind of databaseKinds()) {
  test.serial(`${kind}: groups create, rename, add a member, delete`, async (t) => {
    t.timeout(15 * 60_000);
    const daemon = await startConsoleDaemon(kind);
    const browser = await openChromium();
    const { page } = browser;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      const mia = await createMember(daemon, 'mia.member');
      await createMember(daemon, 'noah.member');
      await signInThroughConsole(page, `${daemon.url}/console/groups`, 'ada.admin');
      await page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();

      await page.getByRole('button', { name: 'Create the group' }).click();
      const name = page.getByLabel('Group name');
      await page.waitForFunction(
        () => document.querySelector('input[aria-invalid="true"]') !== null,
      );
      t.is(await name.getAttribute('aria-invalid'), 'true', 'an empty name is refused by the API');
      await name.fill('Surveyors');
      await page.getByLabel('Description').fill('Field surveys');
      await page.getByRole('button', { name: 'Create the group' }).click();
      await page.getByText('The group Surveyors was created.').waitFor();
      await page.getByLabel('Search by name').fill('survey');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/search=survey/);
      await page.getByRole('link', { name: 'Surveyors' }).waitFor();
      await checkScreen(t, page, 'groups-list');
      t.deepEqual(
        (await groupsNamed(page, daemon.url, 'Surveyors')).map((g) => g.name),
        ['Surveyors'],
      );

      await page.getByRole('link', { name: 'Surveyors' }).click();
      await page.getByRole('heading', { name: 'Surveyors', level: 1 }).waitFor();
      await page.getByLabel('Group name').fill('Survey team');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Survey team', level: 1 }).waitFor();

      const username = page.getByLabel('Username of the member to add');
      await username.fill('nobody.here');
      await page.getByRole('button', { name: 'Add to the group' }).click();
      await page.waitForFunction(
        () => document.querySelector('input[aria-invalid="true"]') !== null,
      );
      t.regex(
        (await page.locator('.field-error').textContent()) ?? '',
        /nobody\.here/,
        'the refusal names the unknown member',
      );
      await username.fill('mia');
      await page.locator('datalist option[value="mia.member"]').waitFor({ state: 'attached' });
      t.deepEqual(
        await page
          .locator('datalist option')
          .evaluateAll((o) => o.map((e) => e.getAttribute('value'))),
        ['mia.member'],
        'members matching what is typed are suggested',
      );
      for (const who of ['mia.member', 'noah.member']) {
        await username.fill(who);
        await page.getByRole('button', { name: 'Add to the group' }).click();
        await page.getByText(`${who} was added to the group.`).waitFor();
      }
      await page.getByRole('link', { name: 'mia.member' }).waitFor();
      await checkScreen(t, page, 'group-detail');
      await page.getByRole('button', { name: 'Remove noah.member from the group' }).click();
      await page.getByText('noah.member was removed from the group.').waitFor();
      const [renamed] = await groupsNamed(page, daemon.url, 'Survey team');
      t.like(renamed, { name: 'Survey team', memberCount: 1 });
      const members = await page.request.get(`${daemon.url}/api/v1/groups/${renamed!.id}/members`);
      t.deepEqual(
        ((await members.json()) as { items: Array<{ id: string }> }).items.map((m) => m.id),
        [mia.id],
      );

      await page.getByRole('button', { name: 'Delete the group' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete the group Survey team' });
      await checkScreen(t, page, 'group-delete');
      await confirm.getByRole('button', { name: 'Delete' }).click();
      await page.getByText('The group Survey team was deleted.').waitFor();
      t.deepEqual(await groupsNamed(page, daemon.url, 'Survey'), []);
      const still = await page.request.get(`${daemon.url}/api/v1/members/mia.member`);
      t.is(still.status(), 200, 'the members stay');
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
