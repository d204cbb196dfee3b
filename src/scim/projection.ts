import { elementSchema, matchesFilter } from './filter-match.ts';
import { type Filter, parseFilter } from './filter-parser.ts';
import { invalidFilter, invalidValue } from './scim-error.ts';
import {
  type AttributeDef,
  ENTERPRISE_ATTRIBUTES,
  ENTERPRISE_SCHEMA,
  GROUP_ATTRIBUTES,
  GROUP_SCHEMA,
  USER_ATTRIBUTES,
  USER_SCHEMA,
} from './scim-schemas.ts';

// attributes / excludedAttributes (RFC 7644 §3.4.2.5) applied to a resource as returned. A path may
// carry a value filter (`emails[type eq "work"]`, `emails[type eq "work"].value`): only the entries
// it selects are kept (or dropped). id and schemas are always returned.

type Json = Record<string, unknown>;

interface Segment {
  name: string;
  filter?: Filter;
}

export interface Projection {
  attributes: Segment[][] | null;
  excluded: Segment[][];
}

const ALWAYS = new Set(['id', 'schemas']);
const DEFINITIONS = [...USER_ATTRIBUTES, ...GROUP_ATTRIBUTES, ...ENTERPRISE_ATTRIBUTES];

/** `urn:…:enterprise:2.0:User:manager.value` → [enterprise urn, manager, value], lower-cased. */
function segments(path: string): Segment[] {
  let rest = path.trim();
  for (const core of [USER_SCHEMA, GROUP_SCHEMA])
    if (rest.toLowerCase().startsWith(`${core.toLowerCase()}:`)) rest = rest.slice(core.length + 1);
  const out: Segment[] = [];
  if (rest.toLowerCase().startsWith(`${ENTERPRISE_SCHEMA.toLowerCase()}:`)) {
    out.push({ name: ENTERPRISE_SCHEMA.toLowerCase() });
    rest = rest.slice(ENTERPRISE_SCHEMA.length + 1);
  }
  const match = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?((?:\.[A-Za-z$][\w$-]*)*)$/s.exec(rest);
  if (!match) throw invalidValue(`"${path}" is not an attribute path`);
  const [, name, filterText, subs] = match;
  out.push({
    name: name!.toLowerCase(),
    ...(filterText !== undefined && { filter: parseFilter(filterText) }),
  });
  for (const sub of subs!.split('.').slice(1)) out.push({ name: sub.toLowerCase() });
  return out;
}

/** Splits a comma-separated list, leaving commas inside brackets and strings alone. */
function splitList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items;
}

function list(value: unknown): Segment[][] | null {
  if (value === undefined || value === null || value === '') return null;
  const items = Array.isArray(value)
    ? value.map(String).flatMap(splitList)
    : splitList(String(value));
  return items
    .map((s) => s.trim())
    .filter(Boolean)
    .map(segments);
}

export function parseProjection(attributes: unknown, excludedAttributes: unknown): Projection {
  return { attributes: list(attributes), excluded: list(excludedAttributes) ?? [] };
}

/** Whether the attribute (top level) is returned under this projection. */
export function returns(projection: Projection, attribute: string): boolean {
  const name = attribute.toLowerCase();
  if (projection.excluded.some((p) => p.length === 1 && p[0]!.name === name && !p[0]!.filter))
    return false;
  return projection.attributes === null || projection.attributes.some((p) => p[0]!.name === name);
}

function selects(segment: Segment, key: string, entry: unknown): boolean {
  if (!segment.filter) return true;
  const def = DEFINITIONS.find((d) => d.name.toLowerCase() === key.toLowerCase() && d.multiValued);
  if (!def) throw invalidFilter(`"${key}" is not multi-valued; it takes no [filter]`);
  return (
    typeof entry === 'object' &&
    entry !== null &&
    matchesFilter(segment.filter, entry as Json, elementSchema(def as AttributeDef, def.name))
  );
}

/** The paths that continue below `key`, for one entry of it. */
function below(paths: Segment[][], key: string, entry: unknown): Segment[][] {
  return paths
    .filter((p) => p[0]!.name === key.toLowerCase() && selects(p[0]!, key, entry))
    .map((p) => p.slice(1));
}

function keep(value: unknown, wanted: Segment[][]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    if (Array.isArray(v)) {
      const kept = v.flatMap((entry) => {
        const inner = below(wanted, key, entry);
        if (inner.length === 0) return [];
        return [inner.some((p) => p.length === 0) ? entry : keep(entry, inner)];
      });
      if (kept.length > 0) out[key] = kept;
      continue;
    }
    const inner = below(wanted, key, v);
    if (inner.length > 0) out[key] = inner.some((p) => p.length === 0) ? v : keep(v, inner);
  }
  return out;
}

function drop(value: unknown, excluded: Segment[][]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    if (Array.isArray(v)) {
      const kept = v.flatMap((entry) => {
        const inner = below(excluded, key, entry);
        if (inner.some((p) => p.length === 0)) return [];
        return [inner.length > 0 ? drop(entry, inner) : entry];
      });
      if (kept.length > 0 || v.length === 0) out[key] = kept;
      continue;
    }
    const inner = below(excluded, key, v);
    if (inner.some((p) => p.length === 0)) continue;
    out[key] = inner.length > 0 ? drop(v, inner) : v;
  }
  return out;
}

export function project(resource: Json, projection: Projection): Json {
  let out: Json = resource;
  if (projection.attributes) {
    out = keep(resource, [
      ...projection.attributes,
      ...[...ALWAYS].map((a) => [{ name: a }]),
    ]) as Json;
  }
  if (projection.excluded.length > 0) {
    out = drop(
      out,
      projection.excluded.filter((p) => !(p.length === 1 && ALWAYS.has(p[0]!.name))),
    ) as Json;
  }
  return out;
}
