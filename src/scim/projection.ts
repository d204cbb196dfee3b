import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './scim-schemas.ts';

// attributes / excludedAttributes (RFC 7644 §3.4.2.5) applied to a resource as returned.
// id and schemas are always returned.

type Json = Record<string, unknown>;

export interface Projection {
  attributes: string[][] | null;
  excluded: string[][];
}

const ALWAYS = new Set(['id', 'schemas']);

/** `urn:…:enterprise:2.0:User:manager.value` → [enterprise urn, manager, value], lower-cased. */
function segments(path: string): string[] {
  let rest = path.trim().toLowerCase();
  for (const core of [USER_SCHEMA, GROUP_SCHEMA])
    if (rest.startsWith(`${core.toLowerCase()}:`)) rest = rest.slice(core.length + 1);
  const ext = `${ENTERPRISE_SCHEMA.toLowerCase()}:`;
  if (rest.startsWith(ext))
    return [ENTERPRISE_SCHEMA.toLowerCase(), ...rest.slice(ext.length).split('.')];
  return rest.split('.');
}

function list(value: unknown): string[][] | null {
  if (value === undefined || value === null || value === '') return null;
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
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
  if (projection.excluded.some((p) => p.length === 1 && p[0] === name)) return false;
  return projection.attributes === null || projection.attributes.some((p) => p[0] === name);
}

function keep(value: unknown, wanted: string[][]): unknown {
  if (wanted.some((p) => p.length === 0)) return value;
  if (Array.isArray(value)) return value.map((v) => keep(v, wanted));
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    const inner = wanted.filter((p) => p[0] === key.toLowerCase()).map((p) => p.slice(1));
    if (inner.length > 0) out[key] = keep(v, inner);
  }
  return out;
}

function drop(value: unknown, excluded: string[][]): unknown {
  if (Array.isArray(value)) return value.map((v) => drop(v, excluded));
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    const inner = excluded.filter((p) => p[0] === key.toLowerCase()).map((p) => p.slice(1));
    if (inner.some((p) => p.length === 0)) continue;
    out[key] = inner.length > 0 ? drop(v, inner) : v;
  }
  return out;
}

export function project(resource: Json, projection: Projection): Json {
  let out: Json = resource;
  if (projection.attributes) {
    out = keep(resource, [...projection.attributes, ...[...ALWAYS].map((a) => [a])]) as Json;
  }
  if (projection.excluded.length > 0) {
    out = drop(
      out,
      projection.excluded.filter((p) => !(p.length === 1 && ALWAYS.has(p[0]!))),
    ) as Json;
  }
  return out;
}
