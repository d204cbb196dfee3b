import type { Filter } from 'scim2-parse-filter';
import { parse } from 'scim2-parse-filter';
import { invalidFilter } from './scim-error.ts';
import { isUuid } from '../store/uuid.ts';

// SCIM filters (RFC 7644 §3.4.2.2) become SQL, so that a search never loads resources to test
// them. The resolver of each resource type says what an attribute path is in SQL.

type ValueType = 'string' | 'boolean' | 'dateTime' | 'uuid';

export interface ColumnRef {
  kind: 'column';
  sql: string;
  type: ValueType;
  caseExact: boolean;
  /** The column already holds lower-cased text (an expression index serves it). */
  lowered?: boolean;
  /** Maps a compared value to the stored form (userName → the member's account name). */
  transform?: (value: string) => string;
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
}

export type Resolved = ColumnRef | ElementsRef;
export type Resolver = (attrPath: string) => Resolved | undefined;

export interface SqlFragment {
  sql: string;
  bindings: unknown[];
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function compare(col: ColumnRef, op: string, value: unknown, path: string): SqlFragment {
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
    const bool =
      typeof value === 'string' && /^(true|false)$/i.test(value)
        ? value.toLowerCase() === 'true'
        : value;
    if (typeof bool !== 'boolean')
      throw invalidFilter(`${path} is a boolean; compare it with true or false`);
    if (op === 'eq') return { sql: `(${col.sql} = ?)`, bindings: [bool] };
    if (op === 'ne') return { sql: `(${col.sql} is distinct from ?)`, bindings: [bool] };
    throw invalidFilter(`${path} is a boolean; only eq, ne and pr apply`);
  }
  if (typeof value !== 'string') throw invalidFilter(`${path} must be compared with a string`);
  if (col.type === 'uuid') {
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`${path}: only eq, ne and pr apply`);
    if (!isUuid(value)) return { sql: op === 'eq' ? 'false' : 'true', bindings: [] };
    return { sql: op === 'eq' ? `(${col.sql} = ?)` : `(${col.sql} <> ?)`, bindings: [value] };
  }
  if (col.type === 'dateTime') {
    const sqlOp = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' }[op];
    if (!sqlOp) throw invalidFilter(`${path} is a date-time; ${op} does not apply`);
    if (Number.isNaN(Date.parse(value)))
      throw invalidFilter(`${path}: ${JSON.stringify(value)} is not a date-time`);
    return { sql: `(${col.sql} ${sqlOp} ?::timestamptz)`, bindings: [value] };
  }
  const stored = col.transform ? col.transform(value) : value;
  const insensitive = !col.caseExact;
  const lhs = insensitive && !col.lowered ? `lower(${col.sql})` : col.sql;
  const rhs = insensitive ? stored.toLowerCase() : stored;
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
    case 'gt':
      return { sql: `(${lhs} > ?)`, bindings: [rhs] };
    case 'ge':
      return { sql: `(${lhs} >= ?)`, bindings: [rhs] };
    case 'lt':
      return { sql: `(${lhs} < ?)`, bindings: [rhs] };
    case 'le':
      return { sql: `(${lhs} <= ?)`, bindings: [rhs] };
    default:
      throw invalidFilter(`unknown operator ${op}`);
  }
}

function withinElements(ref: ElementsRef, inner: SqlFragment): SqlFragment {
  return {
    sql: `(${ref.exists.replace('$COND', inner.sql)})`,
    bindings: [...ref.bindings, ...inner.bindings],
  };
}

function resolve(resolver: Resolver, path: string): Resolved {
  const resolved = resolver(path);
  if (!resolved) throw invalidFilter(`unknown or unfilterable attribute "${path}"`);
  return resolved;
}

function elementColumn(ref: ElementsRef, name: string, path: string): ColumnRef {
  const col = ref.sub(name);
  if (!col) throw invalidFilter(`unknown sub-attribute in "${path}"`);
  return col;
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
      const ref = resolve(resolver, filter.attrPath);
      if (ref.kind !== 'elements') throw invalidFilter(`"${filter.attrPath}" is not multi-valued`);
      const inner = filterToSql(filter.valFilter, (sub) => ref.sub(sub.split('.').pop()!));
      return withinElements(ref, inner);
    }
    default: {
      const path = filter.attrPath;
      const direct = resolver(path);
      if (direct?.kind === 'column')
        return compare(direct, filter.op, filter.op === 'pr' ? undefined : filter.compValue, path);
      // `emails.value co "x"` or `emails co "x"`: some element satisfies it.
      const dot = path.lastIndexOf('.');
      const ref = direct ?? (dot > 0 ? resolver(path.slice(0, dot)) : undefined);
      if (ref?.kind !== 'elements')
        throw invalidFilter(`unknown or unfilterable attribute "${path}"`);
      if (filter.op === 'pr' && direct) return withinElements(ref, { sql: 'true', bindings: [] });
      const col = elementColumn(ref, direct ? ref.defaultSub : path.slice(dot + 1), path);
      return withinElements(
        ref,
        compare(col, filter.op, filter.op === 'pr' ? undefined : filter.compValue, path),
      );
    }
  }
}

export function parseFilter(text: string): Filter {
  if (text.length > 4096) throw invalidFilter('the filter is longer than 4096 characters');
  try {
    return parse(text);
  } catch (error) {
    throw invalidFilter(`the filter cannot be parsed: ${(error as Error).message}`);
  }
}
