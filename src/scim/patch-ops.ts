import { filter as compileFilter, type Filter } from 'scim2-parse-filter';
import { type AttributePath, parseAttributePath, subDefinition } from './attribute-path.ts';
import { ENTERPRISE_SCHEMA, PATCH_SCHEMA, type AttributeDef } from './scim-schemas.ts';
import { invalidSyntax, invalidValue, mutability, noTarget } from './scim-error.ts';

// PATCH (RFC 7644 §3.5.2) as the big identity providers send it. Quirks handled here, at one place:
// capitalized ops (Entra: "Replace", "Add"), booleans as "True"/"False", a path-less value whose
// keys are dotted ("name.givenName") or URN-qualified, the manager as a bare id or "" to clear,
// null meaning "unassigned", an Add or Replace through a value filter that matches nothing
// creating the entry, and removal of multi-valued entries by a value array.

type Json = Record<string, unknown>;

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string | null;
  value: unknown;
}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax('the body must be a PatchOp JSON object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_SCHEMA))
    throw invalidSyntax(`schemas must contain ${PATCH_SCHEMA}`);
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0)
    throw invalidSyntax('Operations must be a non-empty array');
  return operations.map((raw, i) => {
    if (!isObject(raw)) throw invalidSyntax(`Operations[${i}] must be an object`);
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw invalidSyntax(
        `Operations[${i}].op must be add, replace or remove (got ${JSON.stringify(raw.op)})`,
      );
    const path = raw.path === undefined || raw.path === null || raw.path === '' ? null : raw.path;
    if (path !== null && typeof path !== 'string')
      throw invalidSyntax(`Operations[${i}].path must be a string`);
    if (op === 'remove' && path === null) throw noTarget(`Operations[${i}]: remove needs a path`);
    if (op !== 'remove' && !('value' in raw))
      throw invalidSyntax(`Operations[${i}]: ${op} needs a value`);
    return { op, path, value: raw.value };
  });
}

/** "True"/"False" for booleans, a bare id for the manager, "" for an empty manager. */
function coerce(def: AttributeDef | undefined, attr: string, value: unknown): unknown {
  if (def?.type === 'boolean' && typeof value === 'string') {
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
    throw invalidValue(`${attr} must be a boolean (got ${JSON.stringify(value)})`);
  }
  if (attr === 'manager') {
    // Entra has sent the manager as [{ "$ref": null, "value": id }] too.
    if (Array.isArray(value)) return coerce(def, attr, value[0] ?? null);
    if (value === '' || value === null) return null;
    if (typeof value === 'string') return { value };
    if (isObject(value))
      return value.value === '' || value.value === null || value.value === undefined
        ? null
        : { value: value.value };
  }
  return value;
}

function containerOf(doc: Json, path: AttributePath, create: boolean): Json | undefined {
  if (!path.schema) return doc;
  if (!isObject(doc[path.schema]) && create) doc[path.schema] = {};
  return doc[path.schema] as Json | undefined;
}

function coerceElement(def: AttributeDef, element: unknown): unknown {
  if (!isObject(element)) return element;
  return Object.fromEntries(
    Object.entries(element).map(([k, v]) => [
      k,
      coerce(
        def.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase()),
        k,
        v,
      ),
    ]),
  );
}

/** The entry a value filter describes, for an Add through a filter that matches nothing. */
function entryFromFilter(filter: Filter): Json {
  if (filter.op === 'eq') return { [filter.attrPath]: filter.compValue };
  if (filter.op === 'and') return Object.assign({}, ...filter.filters.map(entryFromFilter));
  throw noTarget('the value filter matches no entry and does not describe one to create');
}

function sameValue(a: unknown, b: unknown): boolean {
  return isObject(a) && isObject(b) && a.value !== undefined && String(a.value) === String(b.value);
}

function applyOne(doc: Json, op: PatchOperation, path: AttributePath, pathless = false): void {
  if (path.def.mutability === 'readOnly') {
    // A path-less value may carry the resource as read (id, meta): read-only values are ignored.
    if (pathless) return;
    throw mutability(`${path.attr} is read-only`);
  }
  if (path.attr === 'password') return;
  const container = containerOf(doc, path, op.op !== 'remove');
  if (!container) return;
  const subDef = subDefinition(path);
  const value =
    op.op === 'remove' ? op.value : coerce(subDef ?? path.def, path.sub ?? path.attr, op.value);
  const current = container[path.attr];

  if (path.def.multiValued) {
    const list = Array.isArray(current) ? [...(current as Json[])] : [];
    if (path.filter) {
      const test = compileFilter(path.filter);
      const matched = list.filter((e) => test(e));
      if (op.op === 'remove' || value === null) {
        container[path.attr] = path.sub
          ? list.map((e) => (matched.includes(e) ? omit(e, path.sub!) : e))
          : list.filter((e) => !matched.includes(e));
      } else if (matched.length === 0) {
        list.push({
          ...entryFromFilter(path.filter),
          ...(path.sub ? { [path.sub]: value } : (value as Json)),
        });
        container[path.attr] = list;
      } else {
        container[path.attr] = list.map((e) =>
          matched.includes(e)
            ? path.sub
              ? { ...e, [path.sub]: value }
              : { ...e, ...(value as Json) }
            : e,
        );
      }
    } else if (path.sub) {
      if (op.op === 'remove' || value === null)
        container[path.attr] = list.map((e) => omit(e, path.sub!));
      else if (list.length === 0) container[path.attr] = [{ [path.sub]: value, primary: true }];
      else {
        const index = Math.max(
          0,
          list.findIndex((e) => e.primary === true),
        );
        list[index] = { ...list[index], [path.sub]: value };
        container[path.attr] = list;
      }
    } else if (op.op === 'remove') {
      const doomed = Array.isArray(op.value)
        ? op.value
        : op.value === undefined
          ? null
          : [op.value];
      container[path.attr] = doomed ? list.filter((e) => !doomed.some((d) => sameValue(e, d))) : [];
    } else {
      if (value === null) {
        delete container[path.attr];
        return;
      }
      const incoming = (Array.isArray(value) ? value : [value]).map((e) =>
        coerceElement(path.def, e),
      ) as Json[];
      const kept =
        op.op === 'replace' ? [] : list.filter((e) => !incoming.some((n) => sameValue(e, n)));
      container[path.attr] = [...kept, ...incoming];
    }
    if (Array.isArray(container[path.attr]) && (container[path.attr] as Json[]).length === 0)
      delete container[path.attr];
    return;
  }

  if (path.sub) {
    const complex = isObject(current) ? { ...current } : {};
    if (op.op === 'remove' || value === null) delete complex[path.sub];
    else complex[path.sub] = value;
    container[path.attr] = complex;
  } else if (op.op === 'remove' || value === null) {
    delete container[path.attr];
  } else if (path.def.type === 'complex' && isObject(value) && isObject(current)) {
    container[path.attr] = { ...current, ...value };
  } else {
    container[path.attr] = value;
  }
}

function omit(element: Json, key: string): Json {
  const { [key]: _dropped, ...rest } = element;
  return rest;
}

/** Applies the operations to a SCIM User document (a copy), as the identity provider meant them. */
export function applyUserPatch(document: Json, operations: PatchOperation[]): Json {
  const doc = structuredClone(document);
  for (const op of operations) {
    if (op.path !== null) {
      applyOne(doc, op, parseAttributePath(op.path, 'User'));
      continue;
    }
    if (!isObject(op.value)) throw invalidValue(`${op.op} without a path needs an object value`);
    for (const [key, value] of Object.entries(op.value)) {
      if (key === 'schemas') continue;
      if (key.toLowerCase() === ENTERPRISE_SCHEMA.toLowerCase() && isObject(value)) {
        for (const [sub, subValue] of Object.entries(value))
          applyOne(
            doc,
            { ...op, value: subValue },
            parseAttributePath(`${ENTERPRISE_SCHEMA}:${sub}`, 'User'),
            true,
          );
      } else {
        applyOne(doc, { ...op, value }, parseAttributePath(key, 'User'), true);
      }
    }
  }
  return doc;
}
