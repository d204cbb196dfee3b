// The sign-in pages speak the languages of the administrators' guides. A `lang` query parameter
// wins; otherwise the first supported language of Accept-Language by quality; otherwise English.

const LANGUAGES = ['en', 'fr', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

function supported(tag: string): Language | null {
  const primary = tag.trim().toLowerCase().split('-')[0] ?? '';
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : null;
}

export function chooseLanguage(queryLang: unknown, acceptLanguage: string | undefined): Language {
  if (typeof queryLang === 'string' && supported(queryLang)) return supported(queryLang)!;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const language = supported(entry.tag);
    if (language) return language;
  }
  return 'en';
}
