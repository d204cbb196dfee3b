import test from 'ava';
import { renderNotice } from '../../src/mail/notice-templates.ts';

// The administrators' notices count in words that agree with the number, in each language.

const held = (removals: string) => ({
  organization: 'Harbour Works',
  source: 'corp-ldap',
  runId: 'r1',
  removals,
});

test('a held run counts its removals with the noun in the singular or the plural', (t) => {
  t.regex(renderNotice('sync-held', 'en', held('1')).text, /delete 1 member, more than/);
  t.regex(renderNotice('sync-held', 'en', held('40')).text, /delete 40 members, more than/);
  t.regex(renderNotice('sync-held', 'fr', held('1')).text, /supprimerait 1 membre, plus/);
  t.regex(renderNotice('sync-held', 'fr', held('40')).text, /supprimerait 40 membres, plus/);
  t.regex(renderNotice('sync-held', 'de', held('1')).text, /würde 1 Mitglied deaktivieren/);
  t.regex(renderNotice('sync-held', 'de', held('40')).text, /würde 40 Mitglieder deaktivieren/);
});

test('a quarantine notice counts the failures in a row', (t) => {
  const quarantined = (failures: string) =>
    renderNotice('source-quarantined', 'en', {
      organization: 'Harbour Works',
      source: 'corp-ldap',
      failures,
      error: 'connection refused',
      code: 'ECONNREFUSED',
    }).text;
  t.regex(quarantined('1'), /failed 1 time in a row/);
  t.regex(quarantined('5'), /failed 5 times in a row/);
});
