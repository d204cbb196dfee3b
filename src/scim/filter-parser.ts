import { invalidFilter } from './scim-error.ts';

// The SCIM filter language (RFC 7644 §3.4.2.2), parsed by recursive descent:
//
//   FILTER    = orExp
//   orExp     = andExp *("or" andExp)
//   andExp    = unary *("and" unary)
//   unary     = "not" "(" FILTER ")" / "(" FILTER ")" / valuePath / attrExp
//   valuePath = attrPath "[" valFilter "]" [ "." subAttr SP compareOp SP compValue / "pr" ]
//   attrExp   = attrPath SP "pr" / attrPath SP compareOp SP compValue
//
// "not" binds tighter than "and", which binds tighter than "or". A value path with a trailing
// sub-attribute (`emails[type eq "work"].value eq "x"`, as identity providers send it) is one
// condition on a single entry: the bracket and the comparison must hold for the same element.
// Keywords and operators are case-insensitive; strings are JSON strings with JSON's escapes.

type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';
export type CompValue = string | number | boolean | null;

export type Filter =
  | { op: 'and' | 'or'; filters: Filter[] }
  | { op: 'not'; filter: Filter }
  | { op: 'pr'; attrPath: string }
  | { op: CompareOp; attrPath: string; value: CompValue }
  /** Some element of the multi-valued attribute satisfies `filter` (paths relative to it). */
  | { op: '[]'; attrPath: string; filter: Filter };

const COMPARE_OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);

/** Longer filters are refused before parsing: no client needs one, and parsing is linear. */
const MAX_FILTER_LENGTH = 4096;
/** Parentheses nest at most this deep: recursion stays bounded whatever the input. */
const MAX_DEPTH = 32;

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: '(' | ')' | '[' | ']'; at: number };

const ATTR_NAME = /^[A-Za-z$][\w$-]*$/;
// An attribute path: an optional schema URN (which contains colons and dots) and then a name with
// at most one sub-attribute.
const ATTR_PATH = /^(?:urn:[^\s[\]()"]*:)?[A-Za-z$][\w$-]*(?:\.[A-Za-z$][\w$-]*)?$/i;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, at: i });
      i++;
    } else if (c === '"') {
      const end = endOfString(text, i);
      let value: unknown;
      try {
        value = JSON.parse(text.slice(i, end));
      } catch {
        throw invalidFilter(`invalid string at position ${i + 1}: check its escapes`);
      }
      tokens.push({ kind: 'string', value: value as string, at: i });
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
      if (!match) throw invalidFilter(`invalid number at position ${i + 1}`);
      const value = Number(match[0]);
      if (!Number.isFinite(value)) throw invalidFilter(`number out of range at position ${i + 1}`);
      tokens.push({ kind: 'number', value, at: i });
      i += match[0].length;
    } else {
      // A word: keyword, operator, literal or attribute path (`.` joins a sub-attribute, also
      // right after `]`).
      const match = /^[^\s()[\]"]+/.exec(text.slice(i));
      if (!match) throw invalidFilter(`unexpected character at position ${i + 1}`);
      tokens.push({ kind: 'word', text: match[0], at: i });
      i += match[0].length;
    }
  }
  return tokens;
}

/** The index just past the closing quote of the JSON string starting at `start`. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  throw invalidFilter(`unterminated string starting at position ${start + 1}`);
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Filter {
    if (this.tokens.length === 0) throw invalidFilter('the filter is empty');
    const filter = this.orExp(false);
    const rest = this.tokens[this.pos];
    if (rest) throw invalidFilter(`unexpected ${describe(rest)} at position ${rest.at + 1}`);
    return filter;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'word' && t.text.toLowerCase() === word) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expect(kind: '(' | ')' | ']'): void {
    const t = this.peek();
    if (t?.kind !== kind)
      throw invalidFilter(
        `expected "${kind}" ${t ? `at position ${t.at + 1}, found ${describe(t)}` : 'at the end'}`,
      );
    this.pos++;
  }

  private orExp(inValue: boolean): Filter {
    const parts = [this.andExp(inValue)];
    while (this.keyword('or')) parts.push(this.andExp(inValue));
    return parts.length === 1 ? parts[0]! : { op: 'or', filters: parts };
  }

  private andExp(inValue: boolean): Filter {
    const parts = [this.unary(inValue)];
    while (this.keyword('and')) parts.push(this.unary(inValue));
    return parts.length === 1 ? parts[0]! : { op: 'and', filters: parts };
  }

  private nested(inValue: boolean): Filter {
    if (++this.depth > MAX_DEPTH)
      throw invalidFilter(`parentheses nest deeper than ${MAX_DEPTH} levels`);
    this.expect('(');
    const inner = this.orExp(inValue);
    this.expect(')');
    this.depth--;
    return inner;
  }

  private unary(inValue: boolean): Filter {
    const t = this.peek();
    if (!t) throw invalidFilter('the filter ends where a condition was expected');
    if (t.kind === '(') return this.nested(inValue);
    if (
      t.kind === 'word' &&
      t.text.toLowerCase() === 'not' &&
      this.tokens[this.pos + 1]?.kind === '('
    ) {
      this.pos++;
      return { op: 'not', filter: this.nested(inValue) };
    }
    if (t.kind !== 'word')
      throw invalidFilter(`expected an attribute at position ${t.at + 1}, found ${describe(t)}`);
    this.pos++;
    const path = t.text;
    if (this.peek()?.kind === '[') {
      if (inValue) throw invalidFilter('a value filter cannot contain another value filter');
      return this.valuePath(path, t.at);
    }
    return this.attrExp(path, t.at);
  }

  private valuePath(attrPath: string, at: number): Filter {
    if (!ATTR_PATH.test(attrPath) || attrPath.includes('.'))
      throw invalidFilter(
        `"${attrPath}" at position ${at + 1} is not a multi-valued attribute name`,
      );
    if (++this.depth > MAX_DEPTH)
      throw invalidFilter(`parentheses nest deeper than ${MAX_DEPTH} levels`);
    this.pos++; // [
    const inner = this.orExp(true);
    this.expect(']');
    this.depth--;
    // `attr[cond].sub op value`: the word right after `]` starts with the dot.
    const next = this.peek();
    const tail = next?.kind === 'word' && next.at === this.tokens[this.pos - 1]!.at + 1;
    if (next?.kind === 'word' && next.text.startsWith('.') && tail) {
      this.pos++;
      const sub = next.text.slice(1);
      if (!ATTR_NAME.test(sub))
        throw invalidFilter(`"${sub}" at position ${next.at + 2} is not a sub-attribute name`);
      const condition = this.attrExp(sub, next.at + 1);
      return { op: '[]', attrPath, filter: { op: 'and', filters: [inner, condition] } };
    }
    return { op: '[]', attrPath, filter: inner };
  }

  private attrExp(attrPath: string, at: number): Filter {
    if (!ATTR_PATH.test(attrPath))
      throw invalidFilter(`"${attrPath}" at position ${at + 1} is not an attribute path`);
    const opToken = this.peek();
    if (opToken?.kind !== 'word')
      throw invalidFilter(`expected an operator after "${attrPath}" at position ${at + 1}`);
    const op = opToken.text.toLowerCase();
    this.pos++;
    if (op === 'pr') return { op: 'pr', attrPath };
    if (!COMPARE_OPS.has(op))
      throw invalidFilter(
        `unknown operator "${opToken.text}" at position ${opToken.at + 1} (expected eq, ne, co, sw, ew, gt, lt, ge, le or pr)`,
      );
    return { op: op as CompareOp, attrPath, value: this.compValue(attrPath) };
  }

  private compValue(attrPath: string): CompValue {
    const t = this.peek();
    if (!t) throw invalidFilter(`"${attrPath}": a value is missing at the end of the filter`);
    this.pos++;
    if (t.kind === 'string' || t.kind === 'number') return t.value;
    if (t.kind === 'word') {
      const word = t.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw invalidFilter(
      `"${attrPath}": expected a value (a "string", a number, true, false or null) at position ${t.at + 1}, found ${describe(t)}`,
    );
  }
}

function describe(t: Token): string {
  if (t.kind === 'word') return `"${t.text}"`;
  if (t.kind === 'string') return 'a string';
  if (t.kind === 'number') return 'a number';
  return `"${t.kind}"`;
}

/** Parses a filter; every problem is an `invalidFilter` SCIM error naming the position. */
export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH)
    throw invalidFilter(`the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  return new Parser(tokenize(text)).parse();
}
