// An email is required for members administrators add, invite or import, and must not contain an
// apostrophe there. It is not unique: an administrator's address may stand in for people who have
// none. Addresses that come from an identity provider follow RFC 5321 instead (below).

const SHAPE = /^[^\s@]+@[^\s@]+$/;

export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'is required';
  if (email.includes("'")) return "must not contain an apostrophe (')";
  if (email.length > 254) return 'must be at most 254 characters';
  if (!SHAPE.test(email)) return 'must look like name@domain, without spaces';
  return null;
}

// RFC 5321 §4.1.2 / RFC 5322 §3.2.3: a dot-atom local part (letters, digits and
// !#$%&'*+/=?^_`{|}~- with single dots between) or a quoted string, then a domain or an address
// literal; at most 64 characters before the @ and 254 in all.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\uFFFF-]";
const LOCAL = new RegExp(
  `^(?:${ATEXT}+(?:\\.${ATEXT}+)*|"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*")$`,
  'u',
);
const DOMAIN =
  /^(?:(?:[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]*[A-Za-z0-9\u0080-\uFFFF])?\.)*[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]*[A-Za-z0-9\u0080-\uFFFF])?|\[[^[\]\\\s]+\])$/u;

/** The rule for an address an identity provider sent: what RFC 5321 accepts, apostrophes included. */
export function providerEmailProblem(email: string): string | null {
  if (email.length > 254) return 'must be at most 254 characters';
  const at = email.lastIndexOf('@');
  if (at < 1) return 'must look like local-part@domain';
  const local = email.slice(0, at);
  if (local.length > 64) return 'must have at most 64 characters before the @';
  if (!LOCAL.test(local)) return 'has a local part (before the @) that RFC 5321 does not allow';
  if (!DOMAIN.test(email.slice(at + 1))) return 'has a domain that RFC 5321 does not allow';
  return null;
}
