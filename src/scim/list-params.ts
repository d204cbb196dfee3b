import { type Filter, parseFilter } from './filter-parser.ts';
import { type Projection, parseProjection } from './projection.ts';
import { invalidValue } from './scim-error.ts';

// The parameters of a list or search (RFC 7644 §3.4.2, §3.4.3): from a GET query or a
// POST /.search body. startIndex below 1 counts as 1; count is capped at the configured maximum.

export interface ListParams {
  filter: Filter | null;
  startIndex: number;
  count: number;
  sortBy: string | null;
  descending: boolean;
  projection: Projection;
}

/** No list is longer; a larger index would overflow the database's offset. */
const MAX_INDEX = 2 ** 31 - 1;

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n))
    throw invalidValue(`${name} must be an integer (got ${JSON.stringify(value)})`);
  return n;
}

export function parseListParams(input: Record<string, unknown>, maxResults: number): ListParams {
  const filterText = input.filter;
  if (filterText !== undefined && typeof filterText !== 'string')
    throw invalidValue('filter must be a string');
  const sortOrder =
    input.sortOrder === undefined ? 'ascending' : String(input.sortOrder).toLowerCase();
  if (sortOrder !== 'ascending' && sortOrder !== 'descending')
    throw invalidValue('sortOrder must be ascending or descending');
  const count = integer(input.count, 'count');
  const startIndex = integer(input.startIndex, 'startIndex') ?? 1;
  if (startIndex > MAX_INDEX)
    throw invalidValue(
      `startIndex must be at most ${MAX_INDEX} (got ${JSON.stringify(input.startIndex)})`,
    );
  return {
    filter: filterText ? parseFilter(filterText) : null,
    startIndex: Math.max(1, startIndex),
    count: Math.min(maxResults, Math.max(0, count ?? maxResults)),
    sortBy: typeof input.sortBy === 'string' && input.sortBy !== '' ? input.sortBy : null,
    descending: sortOrder === 'descending',
    projection: parseProjection(input.attributes, input.excludedAttributes),
  };
}
