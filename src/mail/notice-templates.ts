import type { Language, RenderedMail } from './templates.ts';

// Mails to an organization's administrators about its directory sources: a run held by the
// deletion guard, and a source quarantined after repeated failures. Plain text plus a small HTML
// part; every value is escaped in the HTML.

export type NoticeTemplate = 'sync-held' | 'source-quarantined';

export interface NoticeData {
  organization: string;
  source: string;
  /** sync-held: the run waiting for a decision and how many removals it holds. */
  runId?: string | null;
  removals?: string | null;
  /** source-quarantined: the failures in a row and the last error with its code. */
  failures?: string | null;
  error?: string | null;
  code?: string | null;
}

export function isNoticeTemplate(template: string): template is NoticeTemplate {
  return template === 'sync-held' || template === 'source-quarantined';
}

/** "1 member", "2 members": the noun agrees with the count by the language's plural rules. */
function counted(language: Language, count: string | null | undefined, one: string, other: string) {
  return `${count} ${new Intl.PluralRules(language).select(Number(count)) === 'one' ? one : other}`;
}

interface NoticeWording {
  heldSubject: (d: NoticeData) => string;
  heldBody: (d: NoticeData) => string[];
  quarantineSubject: (d: NoticeData) => string;
  quarantineBody: (d: NoticeData) => string[];
}

const WORDING: Record<Language, NoticeWording> = {
  en: {
    heldSubject: (d) => `${d.organization}: a sync of ${d.source} waits for your approval`,
    heldBody: (d) => [
      `A sync of the source ${d.source} would disable or delete ${counted('en', d.removals, 'member', 'members')}, more than its deletion guard allows, and is held.`,
      'Until you decide, later runs of this source remove nobody.',
      `Review it: provisiond runs show ${d.runId}`,
      `Then: provisiond sync approve ${d.runId}   or   provisiond sync reject ${d.runId}`,
    ],
    quarantineSubject: (d) => `${d.organization}: the source ${d.source} is quarantined`,
    quarantineBody: (d) => [
      `The source ${d.source} failed ${counted('en', d.failures, 'time', 'times')} in a row; its scheduled runs are paused.`,
      `Last error${d.code ? ` (${d.code})` : ''}: ${d.error}`,
      `Once it is fixed: provisiond sources resume ${d.source}   (or run a sync by hand)`,
    ],
  },
  fr: {
    heldSubject: (d) =>
      `${d.organization} : une synchronisation de ${d.source} attend votre approbation`,
    heldBody: (d) => [
      `Une synchronisation de la source ${d.source} désactiverait ou supprimerait ${counted('fr', d.removals, 'membre', 'membres')}, plus que sa garde ne le permet : elle est retenue.`,
      "Tant que vous n'avez pas décidé, les synchronisations suivantes ne retirent personne.",
      `Pour l'examiner : provisiond runs show ${d.runId}`,
      `Puis : provisiond sync approve ${d.runId}   ou   provisiond sync reject ${d.runId}`,
    ],
    quarantineSubject: (d) => `${d.organization} : la source ${d.source} est en quarantaine`,
    quarantineBody: (d) => [
      `La source ${d.source} a échoué ${d.failures} fois de suite ; ses synchronisations planifiées sont suspendues.`,
      `Dernière erreur${d.code ? ` (${d.code})` : ''} : ${d.error}`,
      `Une fois corrigée : provisiond sources resume ${d.source}   (ou lancez une synchronisation à la main)`,
    ],
  },
  de: {
    heldSubject: (d) =>
      `${d.organization}: eine Synchronisation von ${d.source} wartet auf Ihre Freigabe`,
    heldBody: (d) => [
      `Eine Synchronisation der Quelle ${d.source} würde ${counted('de', d.removals, 'Mitglied', 'Mitglieder')} deaktivieren oder löschen, mehr als ihr Löschschutz erlaubt, und wurde angehalten.`,
      'Bis Sie entscheiden, entfernen spätere Läufe dieser Quelle niemanden.',
      `Prüfen: provisiond runs show ${d.runId}`,
      `Dann: provisiond sync approve ${d.runId}   oder   provisiond sync reject ${d.runId}`,
    ],
    quarantineSubject: (d) => `${d.organization}: die Quelle ${d.source} ist in Quarantäne`,
    quarantineBody: (d) => [
      `Die Quelle ${d.source} ist ${d.failures}-mal in Folge fehlgeschlagen; ihre geplanten Läufe sind pausiert.`,
      `Letzter Fehler${d.code ? ` (${d.code})` : ''}: ${d.error}`,
      `Nach der Behebung: provisiond sources resume ${d.source}   (oder einen Lauf von Hand starten)`,
    ],
  },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderNotice(
  template: NoticeTemplate,
  language: Language,
  data: NoticeData,
): RenderedMail {
  const w = WORDING[language];
  const subject = template === 'sync-held' ? w.heldSubject(data) : w.quarantineSubject(data);
  const lines = template === 'sync-held' ? w.heldBody(data) : w.quarantineBody(data);
  return {
    subject,
    text: `${lines.join('\n')}\n`,
    html: `<!doctype html><html lang="${language}"><body>\n${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}\n</body></html>\n`,
  };
}
