import { FIELD_LABELS, type ImportField, type ImportMode } from './import-modes.ts';

// Header names are matched without regard to case, accents, typographic apostrophes or spacing,
// in English, with the seeds' French labels ("Nom d’utilisateur", "Type d'utilisateur", "Rôle") or
// in German ("Benutzername", "Rolle"): a template downloaded in any language imports back.

export function foldLabel(label: string): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

const BY_LABEL = new Map<string, ImportField>();
for (const [field, labels] of Object.entries(FIELD_LABELS) as Array<
  [ImportField, (typeof FIELD_LABELS)[ImportField]]
>) {
  for (const label of [labels.english, ...labels.french, ...labels.german])
    BY_LABEL.set(foldLabel(label), field);
}

interface HeaderProblem {
  column: number;
  message: string;
}

export type HeaderMatch =
  | { ok: true; columns: ImportField[] }
  | { ok: false; problems: HeaderProblem[] };

/** Maps each column of the header line to a field of the mode; every problem is named. */
export function matchHeader(names: string[], mode: ImportMode): HeaderMatch {
  const allowed = new Set<ImportField>([...mode.required, ...mode.optional]);
  const expected = mode.template.map((f) => FIELD_LABELS[f].english).join(', ');
  const problems: HeaderProblem[] = [];
  const columns: ImportField[] = [];
  const seen = new Set<ImportField>();
  names.forEach((name, i) => {
    const field = BY_LABEL.get(foldLabel(name));
    if (!field || !allowed.has(field)) {
      problems.push({
        column: i + 1,
        message: `unknown header ${JSON.stringify(name)} for mode ${mode.id}; expected: ${expected}`,
      });
      return;
    }
    if (seen.has(field))
      problems.push({ column: i + 1, message: `header ${JSON.stringify(name)} appears twice` });
    seen.add(field);
    columns.push(field);
  });
  for (const field of mode.required) {
    if (!seen.has(field))
      problems.push({
        column: 0,
        message: `the header has no ${FIELD_LABELS[field].english} column (expected: ${expected})`,
      });
  }
  if (mode.id === 'add-org-ids' && !seen.has('id') && !seen.has('samlId') && !seen.has('oidcId')) {
    problems.push({
      column: 0,
      message:
        'the header needs an ID column: "Identity type" and "ID", or "SAML ID", or "OpenID Connect ID"',
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, columns };
}

/** A header line of data rather than names: the file has no header at all. */
export function looksLikeData(names: string[]): boolean {
  return names.some((n) => n.includes('@')) && names.every((n) => !BY_LABEL.has(foldLabel(n)));
}
