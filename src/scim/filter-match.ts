import type { CompValue, Filter } from './filter-parser.ts';
import { booleanValue, compareCodePoints, dateTimeValue, stringValue } from './filter-values.ts';
import type { AttributeDef } from './scim-schemas.ts';
import { invalidFilter } from './scim-error.ts';

// A SCIM filter tested against a resource in memory: PATCH value paths (`emails[type eq "work"]`)
// pick entries with it. Case rules come from the schema (caseExact), as in the SQL compiler, and a
// condition on a missing value is false except `ne` and `eq null`, as there.

type Json = Record<string, unknown>;

/** The attributes a filter may name: the core schema's and each extension's, by URN. */
export interface FilterSchema {
  core: AttributeDef[];
  coreUrns: string[];
  extensions: Record<string, AttributeDef[]>;
  /** Inside a value path: the multi-valued attribute whose entries are tested. */
  element?: string;
}

/** What a path names: its definition, and one candidate value per entry it may hold. */
interface Found {
  def: AttributeDef;
  /** One per element for a multi-valued attribute (undefined where the entry lacks it). */
  candidates: unknown[];
  /** The attribute is multi-valued and named alone (`emails pr`). */
  elements: unknown[] | null;
}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function byName<T extends { name: string }>(items: T[], name: string): T | undefined {
  const lower = name.toLowerCase();
  return items.find((d) => d.name.toLowerCase() === lower);
}

function property(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

const list = (v: unknown): unknown[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

function definition(
  schema: FilterSchema,
  resource: Json,
  attrPath: string,
): { def: AttributeDef; container: unknown; sub: string | undefined } {
  let container: unknown = resource;
  let defs = schema.core;
  let rest = attrPath;
  const colon = attrPath.lastIndexOf(':');
  if (colon >= 0) {
    const urn = attrPath.slice(0, colon).toLowerCase();
    rest = attrPath.slice(colon + 1);
    const extension = Object.keys(schema.extensions).find((u) => u.toLowerCase() === urn);
    if (extension) {
      container = property(resource, extension);
      defs = schema.extensions[extension]!;
    } else if (!schema.coreUrns.some((u) => u.toLowerCase() === urn)) {
      throw invalidFilter(`unknown schema in "${attrPath}"`);
    }
  }
  // Inside `emails[…]`, `emails.type` names the entry's own `type`.
  if (schema.element && rest.toLowerCase().startsWith(`${schema.element.toLowerCase()}.`))
    rest = rest.slice(schema.element.length + 1);
  const [name, sub, extra] = rest.split('.') as [string, string | undefined, unknown];
  if (extra !== undefined) throw invalidFilter(`"${attrPath}" is not an attribute path`);
  let def = byName(defs, name);
  if (!def && colon < 0) {
    // Extension attributes may be named without their URN when no core attribute has the name.
    for (const [urn, extDefs] of Object.entries(schema.extensions)) {
      def = byName(extDefs, name);
      if (def) {
        container = property(resource, urn);
        break;
      }
    }
  }
  if (!def) throw invalidFilter(`unknown attribute "${attrPath}"`);
  return { def, container, sub };
}

function resolve(schema: FilterSchema, resource: Json, attrPath: string): Found {
  const { def, container, sub } = definition(schema, resource, attrPath);
  const value = property(container, def.name);
  if (sub === undefined && def.type !== 'complex')
    return { def, candidates: def.multiValued ? list(value) : [value], elements: null };
  // A complex attribute named alone compares its value sub-attribute (`emails co "x"`).
  const subDef = def.subAttributes && byName(def.subAttributes, sub ?? 'value');
  if (!subDef)
    throw invalidFilter(
      sub === undefined
        ? `"${attrPath}" needs a sub-attribute`
        : `unknown sub-attribute in "${attrPath}"`,
    );
  if (!def.multiValued)
    return { def: subDef, candidates: [property(value, subDef.name)], elements: null };
  const entries = list(value);
  return {
    def: subDef,
    candidates: entries.map((e) => property(e, subDef.name)),
    elements: sub === undefined ? entries : null,
  };
}

function compareOne(
  def: AttributeDef,
  op: string,
  actual: unknown,
  wanted: CompValue,
  path: string,
): boolean {
  if (def.type === 'boolean') {
    const want = booleanValue(path, wanted);
    if (op !== 'eq' && op !== 'ne')
      throw invalidFilter(`${path} is a boolean; only eq, ne and pr apply`);
    const equal = actual === want;
    return op === 'eq' ? equal : !equal;
  }
  const text = stringValue(path, wanted);
  if (def.type === 'dateTime') {
    const want = Date.parse(dateTimeValue(path, text));
    if (op === 'co' || op === 'sw' || op === 'ew')
      throw invalidFilter(`${path} is a date-time; ${op} does not apply`);
    const have =
      typeof actual === 'string' || actual instanceof Date
        ? new Date(actual).getTime()
        : Number.NaN;
    if (Number.isNaN(have)) return op === 'ne';
    return order(op, have - want);
  }
  if (typeof actual !== 'string') return op === 'ne';
  const exact = def.caseExact === true;
  const a = exact ? actual : actual.toLowerCase();
  const b = exact ? text : text.toLowerCase();
  switch (op) {
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    default:
      return order(op, compareCodePoints(a, b));
  }
}

function order(op: string, difference: number): boolean {
  switch (op) {
    case 'eq':
      return difference === 0;
    case 'ne':
      return difference !== 0;
    case 'gt':
      return difference > 0;
    case 'ge':
      return difference >= 0;
    case 'lt':
      return difference < 0;
    default:
      return difference <= 0;
  }
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** Whether the resource satisfies the filter. */
export function matchesFilter(filter: Filter, resource: Json, schema: FilterSchema): boolean {
  switch (filter.op) {
    case 'and':
      return filter.filters.every((f) => matchesFilter(f, resource, schema));
    case 'or':
      return filter.filters.some((f) => matchesFilter(f, resource, schema));
    case 'not':
      return !matchesFilter(filter.filter, resource, schema);
    case '[]': {
      const { def, container, sub } = definition(schema, resource, filter.attrPath);
      if (sub !== undefined || !def.multiValued || !def.subAttributes)
        throw invalidFilter(`"${filter.attrPath}" is not a multi-valued complex attribute`);
      const element = elementSchema(def, def.name);
      const entries = list(property(container, def.name));
      // The bracket is checked against a blank entry too, so a bad filter fails on an empty list.
      matchesFilter(filter.filter, {}, element);
      return entries.some((v) => isObject(v) && matchesFilter(filter.filter, v, element));
    }
    case 'pr': {
      const { candidates, elements } = resolve(schema, resource, filter.attrPath);
      return elements ? elements.length > 0 : candidates.some(present);
    }
    default: {
      const { def, candidates } = resolve(schema, resource, filter.attrPath);
      const wanted = filter.value;
      if (wanted === null) {
        if (filter.op !== 'eq' && filter.op !== 'ne')
          throw invalidFilter(`${filter.attrPath}: ${filter.op} cannot compare with null`);
        return candidates.some((c) => (c === undefined || c === null) === (filter.op === 'eq'));
      }
      // Checked even when there is nothing to compare: a wrong value is refused either way.
      compareOne(def, filter.op, undefined, wanted, filter.attrPath);
      return candidates.some((c) => compareOne(def, filter.op, c, wanted, filter.attrPath));
    }
  }
}

/** The schema inside `attr[…]`: the attribute's sub-attributes. */
export function elementSchema(def: AttributeDef, attrPath: string): FilterSchema {
  return { core: def.subAttributes ?? [], coreUrns: [], extensions: {}, element: attrPath };
}
