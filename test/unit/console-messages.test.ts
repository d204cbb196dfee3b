import test from 'ava';
import { IntlMessageFormat } from 'intl-messageformat';
import { LANGUAGES, type MessageKey, translator } from '../../console/src/i18n/translate.ts';

// The console's messages in every language: each one parses, takes the same values as the English
// one, and counts read as words in the plural, not as "member(s)".

type Element = ReturnType<IntlMessageFormat['getAst']>[number];

function argumentsOf(elements: Element[], names = new Set<string>()): Set<string> {
  for (const element of elements) {
    if ('value' in element && typeof element.value === 'string' && element.type !== 0) {
      names.add(element.value);
    }
    if ('options' in element) {
      const options: Record<string, { value: Element[] }> = element.options;
      for (const option of Object.values(options)) argumentsOf(option.value, names);
    }
  }
  return names;
}

function parsed(key: MessageKey, message: string): Element[] {
  try {
    return new IntlMessageFormat(message, 'en', undefined, { ignoreTag: true }).getAst();
  } catch (error) {
    throw new Error(`${key} does not parse: ${(error as Error).message}`, { cause: error });
  }
}

const keys = Object.keys(LANGUAGES.en) as MessageKey[];

for (const [language, messages] of Object.entries(LANGUAGES)) {
  test(`${language}: every message parses and takes the values the English one takes`, (t) => {
    for (const key of keys) {
      const expected = [...argumentsOf(parsed(key, LANGUAGES.en[key]))].sort();
      t.deepEqual([...argumentsOf(parsed(key, messages[key]))].sort(), expected, key);
    }
  });

  test(`${language}: no message spells a plural with brackets`, (t) => {
    const bracketed = keys.filter((key) => /\p{L}\((?:s|es|ies|e|en|er|n)\)/u.test(messages[key]));
    t.deepEqual(bracketed, []);
  });
}

test('counts agree with their nouns in each language', (t) => {
  const en = translator('en');
  t.is(en('add.done', { count: 1 }), '1 member added or invited');
  t.is(en('add.done', { count: 2 }), '2 members added or invited');
  t.is(en('add.done', { count: 12500 }), '12,500 members added or invited');
  t.is(
    en('held.approved', { applied: 1, returned: 3 }),
    'Approved: 1 removal applied, 3 members back in the directory kept.',
  );

  const fr = translator('fr');
  t.is(fr('add.done', { count: 0 }), '0 membre ajouté ou invité');
  t.is(fr('add.done', { count: 1 }), '1 membre ajouté ou invité');
  t.is(fr('add.done', { count: 2 }), '2 membres ajoutés ou invités');

  const de = translator('de');
  t.is(de('add.done', { count: 1 }), '1 Mitglied hinzugefügt oder eingeladen');
  t.is(de('add.done', { count: 2 }), '2 Mitglieder hinzugefügt oder eingeladen');
});

test('values outside a plural are put in as they are', (t) => {
  const en = translator('en');
  t.is(
    en('codes.created', { count: 1, until: '1 Dec 2026' }),
    '1 code created, valid until 1 Dec 2026.',
  );
  t.is(en('settings.settingsHint'), 'A JSON object, for example {"theme": "dark"}. Empty: none.');
  t.is(en('pager.position', { page: 2, pages: 7, total: 1234 }), 'Page 2 of 7 (1234 in all)');
});
