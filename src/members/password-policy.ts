import { createRequire } from 'node:module';

// At least 8 characters with a letter and a digit, not the username, not a common
// password, not repetitive or sequential ("aaaabbbb", "1234abcd").

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 256;

// The administrators' guides give their examples of weak passwords in French and German; the
// common list is English.
const GUIDE_LANGUAGE_WORDS = [
  'modepasse',
  'motdepasse',
  'passwort',
  'kennwort',
  'geheim',
  'azerty',
  'qwertz',
  'bonjour',
  'soleil',
];

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!common) {
    // Required on first use, not imported: the dictionaries take a noticeable part of a CLI
    // command's start, and most commands check no password.
    const { dictionary } = createRequire(import.meta.url)(
      '@zxcvbn-ts/language-common',
    ) as typeof import('@zxcvbn-ts/language-common');
    common = new Set([...(dictionary['passwords-common'] as string[]), ...GUIDE_LANGUAGE_WORDS]);
  }
  return common;
}

function isCommon(password: string): boolean {
  const lower = password.toLowerCase();
  const set = commonPasswords();
  // "motdepasse1" and "passwort!" are the common word with a predictable suffix.
  const stem = lower.replace(/[^a-z]+$/, '');
  return set.has(lower) || (stem.length >= 4 && set.has(stem));
}

/**
 * Covers the password with predictable segments, each at least 3 long: ascending or descending
 * sequences (abcd, 4321) and a unit of 1 to 3 characters repeated (aaaa, 121212, abcabcabc).
 * A password that is such segments, but for at most two other characters, is predictable.
 */
function isRepetitiveOrSequential(password: string): boolean {
  const codes = [...password.toLowerCase()].map((c) => c.codePointAt(0) ?? 0);
  const segmentAt = (i: number): number => {
    let best = 1;
    for (const step of [1, -1]) {
      let j = i + 1;
      while (j < codes.length && codes[j]! - codes[j - 1]! === step) j++;
      best = Math.max(best, j - i);
    }
    for (let unit = 1; unit <= 3; unit++) {
      let j = i + unit;
      while (j < codes.length && codes[j] === codes[j - unit]) j++;
      if (j - i >= Math.max(3, unit * 3)) best = Math.max(best, j - i);
    }
    return best;
  };
  let covered = 0;
  let i = 0;
  while (i < codes.length) {
    const length = segmentAt(i);
    if (length >= 3) covered += length;
    i += length >= 3 ? length : 1;
  }
  return codes.length - covered <= 2;
}

/** Returns why the password is refused, or null when it is acceptable. Never echoes the password. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters long`;
  if (password.length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters long`;
  if (username !== undefined && password.toLowerCase() === username.toLowerCase())
    return 'must not be the same as the username';
  if (isRepetitiveOrSequential(password))
    return 'is too predictable: it is made of repeated or sequential characters (like aaaabbbb or 1234abcd)';
  if (!/\p{L}/u.test(password) || !/\p{Nd}/u.test(password))
    return 'must contain at least one letter and one digit';
  if (isCommon(password)) return 'is a commonly used password; choose one that is harder to guess';
  return null;
}
