import type { FieldIssue } from '../errors.ts';

// What a string from outside may hold, and how deep a document may nest. Pure: the request
// guards and the import reader ask these, and the same answer holds at every edge.

export interface InputLimits {
  /** Deepest nesting of objects and arrays a JSON body may have. */
  maxDepth: number;
  /** Longest string (value or key) of any body, in characters; fields have tighter limits. */
  maxStringLength: number;
}

// C0 controls except tab, line feed and carriage return; DEL and the C1 controls; and, thanks to
// the u flag, only *unpaired* surrogates (a paired one is a single code point here), which cannot
// be written as UTF-8 and would be stored as replacement characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const DISALLOWED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF]/u;

/** Why a string from outside is refused, or null when it is acceptable. */
export function textProblem(value: string, maxLength?: number): string | null {
  const bad = DISALLOWED.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!;
    return code >= 0xd800 && code <= 0xdfff
      ? 'must not contain an unpaired surrogate (not valid Unicode)'
      : `must not contain the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  if (maxLength !== undefined && value.length > maxLength)
    return `must be at most ${maxLength} characters (got ${value.length})`;
  return null;
}

const fieldOf = (path: (string | number)[]) =>
  path.length === 0 ? 'body' : path.map(String).join('.');

/**
 * The first problem of a parsed JSON document (or form): nesting deeper than the limit, a string
 * or key that is too long or holds a disallowed character. Iterative, so a hostile depth cannot
 * exhaust the stack before the limit is seen.
 */
export function documentProblem(document: unknown, limits: InputLimits): FieldIssue | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: document, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value, limits.maxStringLength);
      if (problem) return { field: fieldOf(path), message: problem };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (path.length >= limits.maxDepth)
      return {
        field: fieldOf(path),
        message: `nests deeper than ${limits.maxDepth} levels of objects and arrays`,
      };
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) stack.push({ value: item, path: [...path, i] });
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      const problem = textProblem(key, limits.maxStringLength);
      if (problem) return { field: fieldOf([...path, key]), message: `the key ${problem}` };
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return null;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether bytes are well-formed UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    fatalUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes one percent-encoded URL component strictly: invalid UTF-8 after decoding (%FF%FE) is
 * null, not replacement characters.
 */
export function decodeComponent(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
