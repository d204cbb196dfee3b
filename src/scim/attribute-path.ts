import type { FilterSchema } from './filter-match.ts';
import { type Filter, parseFilter } from './filter-parser.ts';
import {
  ENTERPRISE_ATTRIBUTES,
  ENTERPRISE_SCHEMA,
  GROUP_ATTRIBUTES,
  GROUP_SCHEMA,
  USER_ATTRIBUTES,
  USER_SCHEMA,
  type AttributeDef,
} from './scim-schemas.ts';
import { invalidFilter, invalidPath } from './scim-error.ts';

// SCIM attribute paths (RFC 7644 §3.5.2 and §3.10): `attr`, `attr.sub`, `attr[filter]`,
// `attr[filter].sub`, each optionally prefixed by a schema URN. Names are case-insensitive;
// they are resolved here to the schema's spelling.

export interface AttributePath {
  /** The extension schema URN, or null for the core schema. */
  schema: string | null;
  attr: string;
  sub: string | null;
  filter: Filter | null;
  def: AttributeDef;
}

type Kind = 'User' | 'Group';

const CORE: Record<Kind, { urn: string; attributes: AttributeDef[] }> = {
  User: { urn: USER_SCHEMA, attributes: USER_ATTRIBUTES },
  Group: { urn: GROUP_SCHEMA, attributes: GROUP_ATTRIBUTES },
};

const COMMON: AttributeDef[] = [
  { name: 'id', type: 'string', mutability: 'readOnly', caseExact: true },
  { name: 'externalId', type: 'string', caseExact: true },
  {
    name: 'meta',
    type: 'complex',
    mutability: 'readOnly',
    subAttributes: [
      { name: 'created', type: 'dateTime' },
      { name: 'lastModified', type: 'dateTime' },
      ...['resourceType', 'location', 'version'].map((n) => ({ name: n, type: 'string' as const })),
    ],
  },
  { name: 'schemas', type: 'string', multiValued: true, mutability: 'readOnly' },
];

/** What a filter may name in a resource of this kind, for the in-memory matcher. */
export function filterSchemaOf(kind: Kind): FilterSchema {
  return {
    core: [...CORE[kind].attributes, ...COMMON],
    coreUrns: [CORE[kind].urn],
    extensions: kind === 'User' ? { [ENTERPRISE_SCHEMA]: ENTERPRISE_ATTRIBUTES } : {},
  };
}

function find(defs: AttributeDef[], name: string): AttributeDef | undefined {
  const lower = name.toLowerCase();
  return defs.find((d) => d.name.toLowerCase() === lower);
}

/** Splits `urn:…:User:manager.value` into the schema and the rest. */
function splitSchema(path: string, kind: Kind): { schema: string | null; rest: string } {
  const lower = path.toLowerCase();
  for (const urn of [CORE[kind].urn, ...(kind === 'User' ? [ENTERPRISE_SCHEMA] : [])]) {
    if (lower.startsWith(`${urn.toLowerCase()}:`))
      return { schema: urn === CORE[kind].urn ? null : urn, rest: path.slice(urn.length + 1) };
  }
  if (lower.startsWith('urn:')) throw invalidPath(`unknown schema in path "${path}"`);
  return { schema: null, rest: path };
}

export function parseAttributePath(path: string, kind: Kind): AttributePath {
  const { schema, rest } = splitSchema(path.trim(), kind);
  const match = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/s.exec(rest);
  if (!match) throw invalidPath(`"${path}" is not a valid attribute path`);
  const [, attrName, filterText, subName] = match;
  const defs =
    schema === ENTERPRISE_SCHEMA ? ENTERPRISE_ATTRIBUTES : [...CORE[kind].attributes, ...COMMON];
  let def = find(defs, attrName!);
  let resolvedSchema = schema;
  // Entra has sent enterprise attributes without their URN ("manager"): no core attribute has
  // these names, so they can only mean the extension's.
  if (!def && schema === null && kind === 'User') {
    def = find(ENTERPRISE_ATTRIBUTES, attrName!);
    if (def) resolvedSchema = ENTERPRISE_SCHEMA;
  }
  if (!def) throw invalidPath(`unknown attribute "${attrName}" in path "${path}"`);
  let sub: string | null = null;
  if (subName) {
    const subDef = def.subAttributes && find(def.subAttributes, subName);
    if (!subDef) throw invalidPath(`"${def.name}" has no sub-attribute "${subName}"`);
    sub = subDef.name;
  }
  let filter: Filter | null = null;
  if (filterText !== undefined) {
    if (!def.multiValued)
      throw invalidPath(`"${def.name}" is not multi-valued; it takes no [filter]`);
    try {
      filter = parseFilter(filterText);
    } catch (error) {
      throw invalidFilter(`invalid filter in path "${path}": ${(error as Error).message}`);
    }
  }
  return { schema: resolvedSchema, attr: def.name, sub, filter, def };
}

/** The sub-attribute definition, if the path names one. */
export function subDefinition(path: AttributePath): AttributeDef | undefined {
  return path.sub ? path.def.subAttributes?.find((d) => d.name === path.sub) : undefined;
}
