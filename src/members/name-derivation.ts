// From the CreateUsers rules of Portal for ArcGIS: an empty first or last name, or the placeholders
// "no firstName" / "no lastName", is taken from the display name. Of a name of several words,
// the first word is the first name and the rest the last name; a one-word name serves for
// both. When nothing can be derived the record is refused.

export interface NameInput {
  firstName?: string | undefined;
  lastName?: string | undefined;
  name?: string | undefined;
}

export type DerivedNames =
  | { ok: true; firstName: string; lastName: string; displayName: string }
  | { ok: false; reason: string };

/**
 * The value trimmed, or '' for the placeholder (given in lower case). Lengths are compared first so
 * that most names are not lowered: a sync derives the names of every record it reads.
 */
function given(value: string | undefined, placeholder: string): string {
  const trimmed = (value ?? '').trim();
  return trimmed.length === placeholder.length && trimmed.toLowerCase() === placeholder
    ? ''
    : trimmed;
}

export function deriveNames(input: NameInput): DerivedNames {
  let firstName = given(input.firstName, 'no firstname');
  let lastName = given(input.lastName, 'no lastname');
  const words = (input.name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!firstName) {
    if (words.length === 0)
      return { ok: false, reason: 'no first name is given and no name to derive it from' };
    firstName = words[0]!;
  }
  if (!lastName) {
    if (words.length === 0)
      return { ok: false, reason: 'no last name is given and no name to derive it from' };
    lastName = words.length === 1 ? words[0]! : words.slice(1).join(' ');
  }
  const displayName = words.length > 0 ? words.join(' ') : `${firstName} ${lastName}`;
  return { ok: true, firstName, lastName, displayName };
}
