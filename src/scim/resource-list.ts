import type { Knex } from 'knex';
import { numberedPlaceholders, selectSql } from '../store/prepared-select.ts';
import { type Resolver, filterToSql } from './filter-sql.ts';
import type { ListParams } from './list-params.ts';
import { sortColumn } from './scim-columns.ts';
import { LIST_SCHEMA } from './scim-schemas.ts';

// A page of a resource type as a ListResponse (RFC 7644 §3.4.2): filtered, sorted (with the id as
// the tie-break, so pages never overlap) and counted. One round trip: the total rides along each
// row of the page (a window count); only a page past the end, or count=0, counts on its own.

type Json = Record<string, unknown>;

export interface ResourceList<Row> {
  /** The filterable and sortable attributes of the resource type. */
  columns: Resolver;
  /** The sort without a sortBy, and for a sortBy that cannot be sorted on. */
  defaultSort: string;
  /** The id column, the tie-break of every sort. */
  idColumn: string;
  /** The select list of the page's rows: what the projection returns. */
  select: string;
  /** The organization's resources of this type: `table alias where …`, with `$1` its id. */
  from: string;
  orgId: string;
  toResource: (row: Row) => Json;
}

export async function listResources<Row>(
  db: Knex,
  params: ListParams,
  list: ResourceList<Row>,
): Promise<Json> {
  const where = params.filter ? filterToSql(params.filter, list.columns) : null;
  const filtered = where ? `${list.from} and (${numberedPlaceholders(where.sql, 2)})` : list.from;
  const values = [list.orgId, ...(where?.bindings ?? [])];
  const sort = params.sortBy
    ? (sortColumn(list.columns, params.sortBy) ?? list.defaultSort)
    : list.defaultSort;
  const direction = params.descending ? 'desc' : 'asc';
  let rows: Array<Row & { total?: number | string }> = [];
  if (params.count > 0) {
    const limit = values.length + 1;
    rows = await selectSql(
      db,
      `select ${list.select}, count(*) over () as total from ${filtered}
       order by ${sort} ${direction}, ${list.idColumn} ${direction} limit $${limit} offset $${limit + 1}`,
      [...values, params.count, params.startIndex - 1],
    );
  }
  const total =
    rows.length > 0
      ? Number(rows[0]!.total)
      : Number(
          (
            await selectSql<{ n: number | string }>(
              db,
              `select count(*) as n from ${filtered}`,
              values,
            )
          )[0]?.n ?? 0,
        );
  const resources = rows.map(list.toResource);
  return {
    schemas: [LIST_SCHEMA],
    totalResults: total,
    startIndex: params.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
