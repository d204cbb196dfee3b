import test from 'ava';
import { checkScreen, clipboardText, openChromium } from '../helpers/chromium.ts';
import { databaseKinds } from '../helpers/databases.ts';
import {
  PASSWORD,
  firstAdministrator,
  signInThroughConsole,
  startConsoleDaemon,
} from '../helpers/console.ts';
import { sinkConfig, startSmtpSink } from '../helpers/smtp-sink.ts';

// The Add members wizard with the keyboard alone, through to the invitee accepting from the
// mail (a real SMTP sink); then the invitations table: copy link, resend (a new mail, the old
// link dead), delete.

const LINK = /https?:\/\/[^\s"<>]+\/invitations\/accept\?token=[A-Za-z0-9_-]+&lang=[a-z]{2}/;

for (const kind of databaseKinds()) {
  test.serial(
    `${kind}: invite wizard by keyboard, accept from the mail, copy, resend, delete`,
    async (t) => {
      t.timeout(15 * 60_000);
      const sink = await startSmtpSink();
      const daemon = await startConsoleDaemon(
        kind,
        `${sinkConfig(sink, 'Bantiger Elektro AG', 'Bantiger <no-reply@bantiger.test>')}sources:\n  - { name: builtin, type: builtin }\n`,
      );
      const browser = await openChromium();
      const { page } = browser;
      const keyboard = page.keyboard;
      try {
        await firstAdministrator(daemon, 'ada.admin');
        await signInThroughConsole(page, `${daemon.url}/console/members/add`, 'ada.admin');
        await page.getByRole('heading', { name: 'Add members', level: 1 }).waitFor();

        // Step 1: the first mode is chosen; Tab into the radio group, Enter goes on.
        const anyAccount = page.getByRole('radio', {
          name: /Invite with an account of their choice/,
        });
        for (
          let i = 0;
          i < 30 && !(await anyAccount.evaluate((e) => e === document.activeElement));
          i++
        )
          await keyboard.press('Tab');
        t.true(await anyAccount.isChecked());
        await checkScreen(t, page, 'add-members-mode');
        await keyboard.press('Enter');
        const details = page.getByRole('heading', { name: /^Who/ });
        await details.waitFor();
        t.true(await details.evaluate((e) => e === document.activeElement), 'focus on the step');

        // Step 2: a bad address first — the API's message sits by the field.
        await keyboard.press('Tab');
        await keyboard.type('grace@example.org\nnot-an-address');
        await keyboard.press('Tab'); // user type
        await keyboard.press('Tab'); // role
        await keyboard.type('Publisher');
        const add = page.getByRole('button', { name: 'Add', exact: true });
        await add.focus();
        await keyboard.press('Enter');
        const emails = page.getByLabel('Email addresses');
        await page.waitForFunction(
          () => document.querySelector('textarea')?.getAttribute('aria-invalid') === 'true',
        );
        t.regex((await page.locator('.field-error').first().textContent()) ?? '', /not-an-address/);
        await checkScreen(t, page, 'add-members-error');
        await emails.focus();
        await keyboard.press('Control+A');
        await keyboard.type('grace@example.org\nhenri@example.org');
        await add.focus();
        await keyboard.press('Enter');
        await page.getByRole('heading', { name: '2 members added or invited' }).waitFor();
        await checkScreen(t, page, 'add-members-done');

        // Grace accepts from her mail.
        const mail = await sink.mailTo('grace@example.org');
        const link = LINK.exec(mail)?.[0];
        t.truthy(link, 'the mail holds the link');
        const invitee = await openChromium();
        try {
          await invitee.page.goto(link!.replace(/^https?:\/\/[^/]+/, daemon.url));
          await invitee.page.getByText('Bantiger Elektro AG').first().waitFor();
          await invitee.page.getByLabel(/username/i).fill('grace.hopper');
          await invitee.page.getByLabel(/password/i).fill(PASSWORD);
          await invitee.page.getByRole('button').last().click();
          await invitee.page.getByText('grace.hopper').first().waitFor();
        } finally {
          await invitee.close();
        }

        await page.locator('#main').getByRole('link', { name: 'Invitations' }).click();
        await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
        const graceRow = page.locator('tr', { hasText: 'grace@example.org' });
        await graceRow.getByText('Accepted').waitFor();
        const henriRow = page.locator('tr', { hasText: 'henri@example.org' });
        await henriRow.getByRole('button', { name: 'Copy link' }).click();
        const copied = await clipboardText(page);
        t.truthy(copied);
        const henriMail = await sink.mailTo('henri@example.org');
        t.is(LINK.exec(henriMail)?.[0], copied, 'the copied link is the mailed one');
        await checkScreen(t, page, 'invitations');

        const before = sink.messages.length;
        await henriRow.getByRole('button', { name: 'Resend henri@example.org' }).click();
        await page.getByText('The invitation to henri@example.org was sent again.').waitFor();
        const resent = await sink.mailTo('henri@example.org', before);
        t.not(LINK.exec(resent)?.[0], copied, 'a fresh link');
        const old = await fetch(copied.replace(/^https?:\/\/[^/]+/, daemon.url));
        t.is(old.status, 404, 'the old link opens nothing');

        await henriRow.getByRole('button', { name: 'Delete henri@example.org' }).click();
        await page.getByText('The invitation to henri@example.org was deleted.').waitFor();
        await henriRow.getByText('Deleted').waitFor();
      } finally {
        await browser.close();
        await daemon.stop();
        await sink.close();
      }
    },
  );
}
