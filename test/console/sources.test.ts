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

// The Sources screen against a real slapd: health and test connection, a preview that writes
// nothing, a run; then people leave the directory and one is renamed — the preview lists the
// changes by login with the attribute change, the run is held by the deletion guard, and
// approving it disables them. A source that cannot be reached fails with its error code, is
// quarantined and resumed.

const available = slapdAvailable();
if (!available)
  console.warn('SKIPPED: slapd is not installed; the Sources console tests did not run');
const serial = available ? test.serial : test.serial.skip;

let slapd: Slapd | undefined;
test.before(async () => {
  if (available) slapd = await startSlapd();
});
test.after.always(async () => {
  await slapd?.stop();
});

const memberCount = async (daemon: Parameters<typeof cli>[0], query: string[]) =>
  JSON.parse(await cli(daemon, ['--json', 'members', 'list', ...query])).total as number;

for (const kind of databaseKinds()) {
  serial(`${kind}: sources health, preview, run, held run approved, resume`, async (t) => {
    t.timeout(15 * 60_000);
    const corp = await Subtree.create(slapd!, `sources-${kind}`);
    for (let i = 0; i < 10; i++)
      await corp.addUser({ uid: `emp${i}`, givenName: `Emp${i}`, sn: 'Corp' });
    const daemon = await startConsoleDaemon(
      kind,
      `sources:
  - { name: builtin, type: builtin }
  - name: corp
    type: ldap
    flavor: openldap
    url: ${slapd!.url}
    bindDN: ${ADMIN_DN}
    bindCredentials: { env: ${PASSWORD_ENV} }
    users: { baseDN: "${corp.people}", filter: "(objectClass=inetOrgPerson)" }
    onUnmatched: create
    onDeleted: disable
  - name: broken
    type: ldap
    flavor: openldap
    url: ldap://127.0.0.1:9
    bindDN: ${ADMIN_DN}
    bindCredentials: { env: ${PASSWORD_ENV} }
    users: { baseDN: "${corp.people}" }
    health: { backoffSeconds: 60, maxBackoffSeconds: 60, quarantineAfter: 2 }
`,
    );
    const browser = await openChromium();
    const { page } = browser;
    try {
      await firstAdministrator(daemon, 'ada.admin');
      await signInThroughConsole(page, `${daemon.url}/console/sources`, 'ada.admin');
      await page.getByRole('heading', { name: 'Sources', level: 1 }).waitFor();
      const corpCard = page.getByRole('region', { name: 'corp', exact: true });
      await corpCard.getByText('Healthy').waitFor();
      await corpCard.getByRole('button', { name: 'Test connection' }).click();
      await corpCard
        .getByRole('status')
        .getByText(/^Connection works/)
        .waitFor();

      // A first preview lists the members a run would create, and writes nothing.
      await corpCard.getByRole('button', { name: 'Preview' }).click();
      const preview = page.getByRole('region', { name: 'Preview of corp' });
      await preview.getByRole('cell', { name: 'emp3', exact: true }).waitFor();
      t.is(await preview.getByRole('row', { name: /created emp\d/ }).count(), 10);
      t.is(await memberCount(daemon, ['--source', 'corp']), 0, 'a preview writes nothing');
      await corpCard.getByRole('button', { name: 'Run now' }).click();
      await corpCard.getByText('The run ended: Succeeded.').waitFor();
      t.is(await memberCount(daemon, ['--source', 'corp']), 10);

      // Three leave the directory, one is renamed.
      for (const uid of ['emp7', 'emp8', 'emp9']) await corp.remove(corp.userDN(uid));
      await corp.replace(corp.userDN('emp1'), 'sn', ['Renamed']);
      await corpCard.getByRole('button', { name: 'Preview' }).click();
      await preview.getByRole('row', { name: /updated emp1/ }).waitFor();
      t.regex(
        (await preview.getByRole('row', { name: /updated emp1/ }).textContent()) ?? '',
        /lastName: Corp → Renamed/,
      );
      for (const uid of ['emp7', 'emp8', 'emp9'])
        await preview.getByRole('row', { name: new RegExp(`disabled ${uid}`) }).waitFor();
      await preview.getByText(/would be held by the deletion guard/).waitFor();
      await checkScreen(t, page, 'sources-preview');
      t.is(await memberCount(daemon, ['--status', 'disabled']), 0);

      // The run: emp1 is updated, the removals are held for a decision.
      await corpCard.getByRole('button', { name: 'Run now' }).click();
      await corpCard.getByText('The run ended: Held.').waitFor();
      const held = page.getByRole('region', { name: 'Run of corp held by the deletion guard' });
      await held.getByText(/would remove 3 members who are gone from the directory/).waitFor();
      await held.getByText(/^Approve: the directory is read again/).waitFor();
      await held.getByText(/^Reject: the removals are dropped/).waitFor();
      for (const uid of ['emp7', 'emp8', 'emp9'])
        await held.getByRole('row', { name: `${uid} disabled` }).waitFor();
      t.is(await memberCount(daemon, ['--status', 'disabled']), 0, 'held: nobody disabled yet');
      await checkScreen(t, page, 'sources-held');
      await held.getByRole('button', { name: 'Approve the removals' }).click();
      const history = page.getByRole('region', { name: 'Run history' });
      const decision = page.getByRole('region', { name: 'Decision on the run of corp' });
      await decision
        .getByRole('status')
        .getByText('Approved: 3 removals applied, 0 members back in the directory kept.')
        .waitFor();
      await history.getByRole('row', { name: /Approved/ }).waitFor();
      t.is(await held.count(), 0, 'the outcome stays on the screen, no longer as a held run');
      t.is(await memberCount(daemon, ['--status', 'disabled']), 3);
      const emp1 = JSON.parse(await cli(daemon, ['--json', 'members', 'show', 'emp1']));
      t.is(emp1.lastName, 'Renamed');

      // The history: the held run, now approved, opens on its changes by login.
      await history.getByRole('row', { name: /Approved/ }).waitFor();
      t.is(await history.getByRole('row', { name: /Succeeded/ }).count(), 1);
      await history
        .getByRole('row', { name: /Approved/ })
        .getByRole('link')
        .click();
      await page.getByRole('heading', { name: 'Run of corp', level: 1 }).waitFor();
      await page.getByText(/^by ada\.admin/).waitFor();
      const changes = page.getByRole('region', { name: 'Changes by login' });
      await changes.getByRole('row', { name: /updated emp1 lastName: Corp → Renamed/ }).waitFor();
      t.is(await changes.getByRole('row', { name: /disabled emp[789]/ }).count(), 3);
      await checkScreen(t, page, 'sources-run');

      // Two more leave; the run is held again, and another administrator approves it on the
      // command line before this one rejects it: the console shows the API's refusal.
      await page.getByRole('link', { name: 'Back to sources' }).click();
      for (const uid of ['emp4', 'emp5']) await corp.remove(corp.userDN(uid));
      await corpCard.getByRole('button', { name: 'Run now' }).click();
      await corpCard.getByText('The run ended: Held.').waitFor();
      await held.getByRole('row', { name: 'emp5 disabled' }).waitFor();
      const runs = JSON.parse(await cli(daemon, ['--json', 'runs', 'list', '--source', 'corp']));
      const second = runs.items.find((r: { status: string }) => r.status === 'held');
      await cli(daemon, ['--json', 'sync', 'approve', second.id]);
      await held.getByRole('button', { name: 'Reject the removals' }).click();
      await held
        .getByRole('alert')
        .getByText(/is approved, not held: it was already decided/)
        .waitFor();
      t.true(await held.getByRole('button', { name: 'Approve the removals' }).isVisible());
      t.is(await memberCount(daemon, ['--status', 'disabled']), 5, 'the approval stands');
      await checkScreen(t, page, 'sources-held-refused');

      // A source that cannot be reached: the test says why, runs fail with the error code until
      // the source is quarantined, and Resume brings it back.
      await page.reload();
      // The cards and the held runs come from the same answer: once a card is there, so are they.
      await corpCard.getByRole('button', { name: 'Run now' }).waitFor();
      t.is(await held.count(), 0, 'no run waits for a decision any more');
      const broken = page.getByRole('region', { name: 'broken', exact: true });
      await broken.getByRole('button', { name: 'Test connection' }).click();
      await broken
        .getByRole('alert')
        .getByText(/^Connection failed: .*ECONNREFUSED/)
        .waitFor();
      await broken.getByRole('button', { name: 'Run now' }).click();
      await broken
        .getByRole('alert')
        .getByText(/^The run failed: .*ECONNREFUSED/)
        .waitFor();
      await broken.getByText('Failing').waitFor();
      await broken.getByText('ECONNREFUSED', { exact: true }).waitFor();
      await broken.getByRole('button', { name: 'Run now' }).click();
      await broken.getByText('Quarantined').waitFor();
      await broken.getByText(/its schedule is paused until you resume it/).waitFor();
      await checkScreen(t, page, 'sources');
      // The overview shows the same health, and leads here.
      await page.getByRole('link', { name: 'Overview' }).click();
      const card = page.getByRole('region', { name: 'Sources' });
      await card
        .getByRole('listitem')
        .filter({ hasText: 'broken' })
        .getByText('Quarantined')
        .waitFor();
      await card.getByRole('listitem').filter({ hasText: 'corp' }).getByText('Healthy').waitFor();
      await card.getByRole('link', { name: 'broken' }).click();
      await page.getByRole('heading', { name: 'Sources', level: 1 }).waitFor();
      await broken.getByRole('button', { name: 'Resume' }).click();
      await broken.getByText('The source was resumed: its schedule runs it again.').waitFor();
      await broken.getByText('Healthy').waitFor();
      const listed = JSON.parse(await cli(daemon, ['--json', 'sources', 'list'])).items as Array<{
        name: string;
        health: { state: string };
      }>;
      t.is(listed.find((s) => s.name === 'broken')?.health.state, 'healthy');

      // The history a page at a time, and by source: six more runs from the command line.
      for (let i = 0; i < 6; i++) await cli(daemon, ['--json', 'sync', 'corp']);
      const listed2 = JSON.parse(await cli(daemon, ['--json', 'runs', 'list', '--limit', '2']));
      t.like(listed2, { total: 11, page: 1, pageSize: 2 });
      t.is(listed2.items.length, 2);
      const both = await page.evaluate(async () => {
        const r = await fetch('/api/v1/runs?limit=2&pageSize=3');
        return { status: r.status, body: await r.json() };
      });
      t.is(both.status, 400);
      t.is(both.body.issues[0].field, 'limit');
      const doc = await (await fetch(`${daemon.url}/api/v1/openapi.json`)).json();
      const runsAnswer = doc.paths['/runs'].get.responses[200].content['application/json'].schema;
      t.is(runsAnswer.properties.items.items.$ref, '#/components/schemas/SyncRun');
      t.true(doc.components.schemas.SyncRun.properties.status.enum.includes('held'));
      t.truthy(doc.components.schemas.Source.properties.health.properties.lastErrorCode);
      await page.reload();
      await history.getByText('Page 1 of 2 (11 in all)').waitFor();
      t.is(await history.locator('tbody tr').count(), 10);
      await history.getByRole('button', { name: 'Next' }).click();
      await history.getByText('Page 2 of 2 (11 in all)').waitFor();
      // The pager moves at the click; the rows when the second page has come.
      await page.waitForFunction(
        () => document.querySelectorAll('[aria-labelledby="runs-title"] tbody tr').length === 1,
      );
      t.is(await history.getByRole('row', { name: /Succeeded/ }).count(), 1, 'the oldest run');
      await history.getByLabel('Runs of').selectOption('broken');
      await history
        .getByRole('row', { name: /Failed/ })
        .first()
        .waitFor();
      t.is(await history.locator('tbody tr').count(), 2);
      t.is(await history.getByRole('navigation', { name: 'Pages' }).count(), 0);

      // The same screen in French and German.
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('heading', { name: 'Historique des exécutions' }).waitFor();
      await corpCard.getByRole('button', { name: 'Tester la connexion' }).waitFor();
      await checkScreen(t, page, 'sources-fr');
      await page.getByLabel('Langue').selectOption('de');
      await page.getByRole('heading', { name: 'Verlauf der Läufe' }).waitFor();
      await corpCard.getByRole('button', { name: 'Verbindung testen' }).waitFor();
    } finally {
      await browser.close();
      await daemon.stop();
    }
  });
}
