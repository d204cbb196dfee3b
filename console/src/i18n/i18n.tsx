import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { de } from './de.ts';
import { en, type Messages } from './en.ts';
import { fr } from './fr.ts';

// The console speaks English, French and German: the browser's language first, then the choice
// the administrator makes in the header, kept in this browser.

export const LANGUAGES = { en, fr, de } as const;
export type Language = keyof typeof LANGUAGES;
export type MessageKey = keyof Messages;

const STORAGE_KEY = 'provisiond.console.language';

function isLanguage(value: string | null | undefined): value is Language {
  return value === 'en' || value === 'fr' || value === 'de';
}

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(stored)) return stored;
  for (const tag of navigator.languages) {
    const base = tag.slice(0, 2).toLowerCase();
    if (isLanguage(base)) return base;
  }
  return 'en';
}

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, choose] = useState<Language>(initialLanguage);
  const value = useMemo<I18n>(() => {
    const messages = LANGUAGES[language];
    document.documentElement.lang = language;
    return {
      language,
      setLanguage(next) {
        localStorage.setItem(STORAGE_KEY, next);
        choose(next);
      },
      t: (key, values = {}) =>
        messages[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
          name in values ? String(values[name]) : whole,
        ),
    };
  }, [language]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
