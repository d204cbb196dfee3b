import test from 'ava';
import { checkScreen, openChromium } from '../helpers/chromium.ts';
import { databaseKinds } from '../helpers/databases.ts';
import {
  cli,
  firstAdministrator,
  signInThroughConsole,
  startConsoleDaemon,
} from '../helpers/console.ts';
import { PASSWORD_ENV, Subtree } from '../helpers/ldap-directory.ts';
import { ADMIN_DN, type Slapd, slapdAvailable, startSlapd } from '../helpers/slapd.ts';

// Add members from a directory (a real slapd): the API's refusal of an empty search beside the
// field, a group found by the magnifier and its members added, one user added, and all of them
// in Members, linked to the source — without a whole sync (the user left out stays out).

const available = slapdAvailable();
if (!available)
  console.warn('SKIPPED: slapd is not installed; the directory console tests did not run');
const serial = available ? test.serial : test.serial.skip;

let slapd: Slapd | undefined;
test.before(async () => {
  if (available) slapd = await startSlapd();
});
test.after.always(async () => {
  await slapd?.stop();
});

for (const kind of databaseKinds()) {
  serial(`${kind}: search a directory, add a group's members and one user`, async (t) => {
    t.timeout(15 * 60_000);
    const dir = await Subtree.create(slapd!, `directory-${kind}`);
    for (const uid of ['ann', 'bob', 'cid', 'dan'])
      await dir.addUser({ uid, givenName: uid, sn: 'Dir' });
    await dir.addGroup('team', [dir.userDN('ann'), dir.userDN('bob')]);
    const daemon = await startConsoleDaemon(
      kind,
      `sources:
  - { name: builtin, type: builtin }
  - name: corpdir
    type: ldap
    flavor: openldap
    url: ${slapd!.url}
    bindDN: ${ADMIN_DN}
    bindCredentials: { env: ${PASSWORD_ENV} }
    users: { baseDN: "${dir.people}", filter: "(objectClass=inetOrgPerson)" }
    groups: { baseDN: "${dir.groups}", filter: "(objectClass=groupOfNames)" }
    onUnmatched: create
`,
    );
    const browser = await openChromium();
    const { page } = browser;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      await signInThroughConsole(page, `${daemon.url}/console/members/add`, 'ada.admin');
      await page.getByRole('radio', { name: /From a directory/ }).check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Who — From a directory' }).waitFor();
      const sourceField = page.getByLabel('Directory source');
      await sourceField.locator('option').first().waitFor({ state: 'attached' });
      t.is(await sourceField.inputValue(), 'corpdir', 'the only searchable source is chosen');

      // An empty search: the API's message sits by the search field.
      await page.getByRole('button', { name: 'Search' }).click();
      const field = page.getByLabel('Search users and groups');
      await page.waitForFunction(
        () => document.querySelector('input[type=search]')?.getAttribute('aria-invalid') === 'true',
      );
      t.regex((await page.locator('.field-error').textContent()) ?? '', /give some text/);
      t.is(await field.getAttribute('aria-invalid'), 'true');

      // The group by the magnifier, then its members added.
      await field.fill('team');
      await field.press('Enter');
      await page.getByRole('heading', { name: '1 found' }).waitFor();
      await page.getByRole('cell', { name: 'Group', exact: true }).waitFor();
      await checkScreen(t, page, 'add-members-directory-search');
      await page.getByRole('button', { name: 'Add the members of team' }).click();
      await page.getByText('2 members of team added: ann, bob.').waitFor();

      // One user.
      await field.fill('cid');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('button', { name: 'Add cid' }).click();
      await page.getByText('cid: created.').waitFor();
      await checkScreen(t, page, 'add-members-directory-added');
      // The same group again: the API answers, nothing is made twice.
      await field.fill('team');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('button', { name: 'Add the members of team' }).click();
      await page.getByText('2 members of team added: ann, bob.').waitFor();

      await page.getByRole('link', { name: 'See the members from corpdir' }).click();
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'cid' }).waitFor();
      const usernames = await page.locator('tbody tr td:first-child').allTextContents();
      t.deepEqual(usernames.map((u) => u.trim()).sort(), ['ann', 'bob', 'cid']);
      await page.getByRole('link', { name: 'ann' }).click();
      await page.getByRole('heading', { name: 'ann', level: 1 }).waitFor();
      await page.getByRole('cell', { name: 'corpdir', exact: true }).first().waitFor();
      const groups = JSON.parse(await cli(daemon, ['--json', 'groups', 'members', 'team']));
      t.deepEqual(groups.items.map((m: { username: string }) => m.username).sort(), ['ann', 'bob']);
      const all = JSON.parse(
        await cli(daemon, ['--json', 'members', 'list', '--source', 'corpdir']),
      );
      t.is(all.total, 3, 'dan, in no group and not added, was left alone');
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
