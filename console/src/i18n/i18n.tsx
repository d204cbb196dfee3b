import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { type Language, type Translate, translator } from './translate.ts';

// The console speaks English, French and German: the browser's language first, then the choice
// the administrator makes in the header, kept in this browser.

export { LANGUAGES, type Language, type MessageKey } from './translate.ts';

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

interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, choose] = useState<Language>(initialLanguage);
  const value = useMemo<I18n>(() => {
    document.documentElement.lang = language;
    return {
      language,
      setLanguage(next) {
        localStorage.setItem(STORAGE_KEY, next);
        choose(next);
      },
      t: translator(language),
    };
  }, [language]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
