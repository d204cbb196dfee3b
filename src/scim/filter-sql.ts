import type { CompValue, Filter } from './filter-parser.ts';
import { booleanValue, dateTimeValue, stringValue } from './filter-values.ts';
import { invalidFilter } from './scim-error.ts';
import { isUuid } from '../store/uuid.ts';

// SCIM filters (RFC 7644 §3.4.2.2) become SQL, so that a search never loads resources to test
// them. The resolver of each resource type says what an attribute path is in SQL. Values are
// always bound, never spliced. A condition on a missing value is false (SQL's null), and `not`
// turns that into true, as the in-memory matcher does.

type ValueType = 'string' | 'boolean' | 'dateTime' | 'uuid';

export interface ColumnRef {
  kind: 'column';
  sql: string;
  type: ValueType;
  caseExact: boolean;
  /** The column already holds lower-cased text (an expression index serves it). */
  lowered?: boolean;
  /**
   * The column holds a form derived from the value (userName → the member's account name, with
   * characters an account name cannot hold replaced): the derivation, which an indexed equality
   * test uses first, and SQL of the value as sent, lower-cased, which decides.
   */
  derived?: { transform: (value: string) => string; sentSql: string };
}

/** A multi-valued attribute or a relation: true when some element satisfies the condition. */
export interface ElementsRef {
  kind: 'elements';
  /** SQL of `exists (… where <condition>)` with the placeholder `$COND`. */
  exists: string;
  bindings: unknown[];
  /** A sub-attribute of one element, in SQL. */
  sub(name: string): ColumnRef | undefined;
  /** The sub-attribute compared when the path names the attribute alone (`emails co "x"`). */
  defaultSub: string;
  /**
   * At most one element, standing for a single-valued attribute (externalId in its own table):
   * a missing one is "not equal" and "null", as a missing column value is.
   */
  single?: boolean;
}

export type Resolved = ColumnRef | ElementsRef;
export type Resolver = (attrPath: string) => Resolved | undefined;

export interface SqlFragment {
  sql: string;
  bindings: unknown[];
}

const ORDER: Record<string, string> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function compare(
  col: ColumnRef,
  op: string,
  value: CompValue | undefined,
  path: string,
): SqlFragment {
  if (op === 'pr') {
    return {
      sql:
        col.type === 'string'
          ? `(${col.sql} is not null and ${col.sql} <> '')`
          : `(${col.sql} is not null)`,
      bindings: [],
    };
  }
  if (value === null) {
    if (op === 'eq') return { sql: `(${col.sql} is null)`, bindings: [] };
    if (op === 'ne') return { sql: `(${col.sql} is not null)`, bindings: [] };
    throw invalidFilter(`${path}: ${op} cannot compare with null`);
  }
  if (col.type === 'boolean') {
    const bool = booleanValue(path, value);
    if (op === 'eq') return { sql: `(${col.sql} = ?)`, bindings: [bool] };
    if (op === 'ne') return { sql: `(${col.sql} is distinct from ?)`, bindings: [bool] };
    throw invalidFilter(`${path} is a boolean; only eq, ne and pr apply`);
  }
  const text = stringValue(path, value);
  if (col.type === 'uuid') {
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`${path}: only eq, ne and pr apply`);
    // Ids are stored lower-case; a case-exact id in another case is another string.
    const id = col.caseExact ? text : text.toLowerCase();
    if (!isUuid(id) || id !== id.toLowerCase())
      return { sql: op === 'eq' ? 'false' : `(${col.sql} is not null)`, bindings: [] };
    return {
      sql: op === 'eq' ? `(${col.sql} = ?)` : `(${col.sql} is distinct from ?)`,
      bindings: [id],
    };
  }
  if (col.type === 'dateTime') {
    const sqlOp = { eq: '=', ne: '<>', ...ORDER }[op];
    if (!sqlOp) throw invalidFilter(`${path} is a date-time; ${op} does not apply`);
    const instant = dateTimeValue(path, text);
    // Resources show milliseconds: a time read from meta compares equal to itself.
    const lhs = `date_trunc('milliseconds', ${col.sql})`;
    if (op === 'ne')
      return { sql: `(${lhs} is distinct from ?::timestamptz)`, bindings: [instant] };
    return { sql: `(${lhs} ${sqlOp} ?::timestamptz)`, bindings: [instant] };
  }
  const insensitive = !col.caseExact;
  const rhs = insensitive ? text.toLowerCase() : text;
  if (col.derived && op === 'eq')
    return {
      sql: `(${col.sql} = ? and ${col.derived.sentSql} = ?)`,
      bindings: [col.derived.transform(rhs), rhs],
    };
  const lhs = col.derived
    ? col.derived.sentSql
    : insensitive && !col.lowered
      ? `lower(${col.sql})`
      : col.sql;
  switch (op) {
    case 'eq':
      return { sql: `(${lhs} = ?)`, bindings: [rhs] };
    case 'ne':
      return { sql: `(${lhs} is distinct from ?)`, bindings: [rhs] };
    case 'co':
      return { sql: `(${lhs} like ?)`, bindings: [`%${escapeLike(rhs)}%`] };
    case 'sw':
      return { sql: `(${lhs} like ?)`, bindings: [`${escapeLike(rhs)}%`] };
    case 'ew':
      return { sql: `(${lhs} like ?)`, bindings: [`%${escapeLike(rhs)}`] };
    default:
      // Lexicographic order is code-point order, whatever the database's collation.
      return { sql: `(${lhs} collate "C" ${ORDER[op]} ?)`, bindings: [rhs] };
  }
}

function withinElements(ref: ElementsRef, inner: SqlFragment): SqlFragment {
  return {
    sql: `(${ref.exists.replace('$COND', inner.sql)})`,
    bindings: [...ref.bindings, ...inner.bindings],
  };
}

/** Inside `attr[…]` paths name sub-attributes, alone or as `attr.sub`. */
function elementResolver(ref: ElementsRef, attrPath: string): Resolver {
  const prefix = `${attrPath.toLowerCase()}.`;
  return (path) => {
    const lower = path.toLowerCase();
    const name = lower.startsWith(prefix) ? path.slice(prefix.length) : path;
    return name.includes('.') || name.includes(':') ? undefined : ref.sub(name);
  };
}

type Condition = Exclude<Filter, { op: 'and' | 'or' | 'not' | '[]' }>;

function condition(filter: Condition, resolver: Resolver): SqlFragment {
  const path = filter.attrPath;
  const value = filter.op === 'pr' ? undefined : filter.value;
  const direct = resolver(path);
  if (direct?.kind === 'column') return compare(direct, filter.op, value, path);
  // `emails.value co "x"` or `emails co "x"`: some element satisfies it.
  const dot = path.lastIndexOf('.');
  const ref = direct ?? (dot > 0 ? resolver(path.slice(0, dot)) : undefined);
  if (ref?.kind !== 'elements') throw invalidFilter(`unknown or unfilterable attribute "${path}"`);
  if (filter.op === 'pr' && direct) return withinElements(ref, { sql: 'true', bindings: [] });
  const col = ref.sub(direct ? ref.defaultSub : path.slice(dot + 1));
  if (!col) throw invalidFilter(`unknown sub-attribute in "${path}"`);
  if (ref.single && filter.op === 'ne' && value !== null) {
    // Not equal to x: no element equal to x.
    const inner = withinElements(ref, compare(col, 'eq', value, path));
    return { sql: `(not ${inner.sql})`, bindings: inner.bindings };
  }
  if (ref.single && filter.op === 'eq' && value === null) {
    // null: no element with a value. (`ne null` is some element with one, below.)
    const inner = withinElements(ref, compare(col, 'ne', null, path));
    return { sql: `(not ${inner.sql})`, bindings: inner.bindings };
  }
  return withinElements(ref, compare(col, filter.op, value, path));
}

export function filterToSql(filter: Filter, resolver: Resolver): SqlFragment {
  switch (filter.op) {
    case 'and':
    case 'or': {
      const parts = filter.filters.map((f) => filterToSql(f, resolver));
      return {
        sql: `(${parts.map((p) => p.sql).join(` ${filter.op} `)})`,
        bindings: parts.flatMap((p) => p.bindings),
      };
    }
    case 'not': {
      const inner = filterToSql(filter.filter, resolver);
      return { sql: `(not coalesce(${inner.sql}, false))`, bindings: inner.bindings };
    }
    case '[]': {
      const ref = resolver(filter.attrPath);
      if (ref?.kind !== 'elements')
        throw invalidFilter(`"${filter.attrPath}" is not a filterable multi-valued attribute`);
      // The whole bracket, and a sub-attribute condition after it, hold for one element.
      return withinElements(ref, filterToSql(filter.filter, elementResolver(ref, filter.attrPath)));
    }
    default:
      return condition(filter, resolver);
  }
}
