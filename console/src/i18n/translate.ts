import { IntlMessageFormat } from 'intl-messageformat';
import { de } from './de.ts';
import { en, type Messages } from './en.ts';
import { fr } from './fr.ts';

// Messages are ICU message format, so a count reads "1 member" and "2 members" by each language's
// own plural rules, and French counts 0 as singular.

export const LANGUAGES = { en, fr, de } as const;
export type Language = keyof typeof LANGUAGES;
export type MessageKey = keyof Messages;
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const messages = LANGUAGES[language];
  const compiled = new Map<MessageKey, IntlMessageFormat>();
  return (key, values = {}) => {
    let message = compiled.get(key);
    if (!message) {
      message = new IntlMessageFormat(messages[key], language, undefined, { ignoreTag: true });
      compiled.set(key, message);
    }
    return String(message.format(values));
  };
}
