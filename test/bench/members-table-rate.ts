import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { loadCatalog } from '../../src/catalog/catalog-store.ts';

// The members table's own insert rate, the floor under any bench that creates members (bulk
// insert, import, a first sync): the server generates the rows itself (`insert … select from
// generate_series`, 10,000 a statement) into a copy of the table with its indexes, defaults and
// checks (`like members including all`: no foreign keys, no audit entries, nothing sent from this
// process). The copy is dropped afterwards.

const CHUNK = 10_000;

export interface MemberNames {
  first: readonly string[];
  last: readonly string[];
}

/** The default catalog's Creator user type and User role, which the benches' members get. */
export async function creatorUser(
  knex: Knex,
  orgId: string,
): Promise<{ userTypeId: string; roleId: string }> {
  const catalog = await loadCatalog(knex, orgId);
  const userType = catalog.userTypes.find((t) => t.name === 'Creator');
  const role = catalog.roles.find((r) => r.name === 'User');
  if (!userType?.id || !role?.id)
    throw new Error('the default catalog has no Creator user type or User role');
  return { userTypeId: userType.id, roleId: role.id };
}

/** The seconds the server takes to insert `n` members into a copy of the table. */
export async function membersTableSeconds(
  knex: Knex,
  orgId: string,
  n: number,
  names: MemberNames,
): Promise<number> {
  const { userTypeId, roleId } = await creatorUser(knex, orgId);
  await knex.raw('create table members_ceiling (like members including all)');
  try {
    const started = performance.now();
    for (let from = 1; from <= n; from += CHUNK) {
      await knex.raw(
        `insert into members_ceiling
           (org_id, username, email, first_name, last_name, display_name, user_type_id, role_id, status, source)
         select ?, 'user' || tag || '.bench', 'user' || tag || '@example.com', first, last,
                first || ' ' || last, ?, ?, 'active', 'builtin'
         from generate_series(?::int, ?::int) as i,
              lateral (select lpad(i::text, 6, '0') as tag,
                              (?::text[])[1 + i % ?] as first,
                              (?::text[])[1 + i % ?] as last) as names`,
        [
          orgId,
          userTypeId,
          roleId,
          from,
          Math.min(n, from + CHUNK - 1),
          [...names.first],
          names.first.length,
          [...names.last],
          names.last.length,
        ],
      );
    }
    return (performance.now() - started) / 1000;
  } finally {
    await knex.raw('drop table members_ceiling');
  }
}
