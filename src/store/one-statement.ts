import type { Knex } from 'knex';
import { preparedRaw } from './prepared-select.ts';

// A write that spans tables as one statement: each owner module hands out the data-modifying CTE
// for its own table (`name as (insert …)`), and the caller joins them. One round trip, no BEGIN or
// COMMIT around it, and the parts commit or fail together. Placeholders are knex's `?`; a value
// given to a `select` (rather than `values`) carries its cast, since nothing else types it.

export interface Cte {
  name: string;
  sql: string;
  bindings: readonly unknown[];
}

/** A condition one owner hands to another's part (`where … and <sql>`). */
export interface Condition {
  sql: string;
  bindings: readonly unknown[];
}

/**
 * A value computed by the statement itself rather than sent (a subquery), for a part that takes
 * values: its `sql` stands where the value's placeholder would.
 */
export class SqlExpression {
  constructor(
    readonly sql: string,
    readonly bindings: readonly unknown[],
  ) {}
}

/** `final` reads what the CTEs returned (`select * from m`); its own values follow theirs. */
export async function runOneStatement<T>(
  db: Knex | Knex.Transaction,
  ctes: readonly Cte[],
  final: string,
): Promise<T[]> {
  const sql = `with ${ctes.map((c) => `${c.name} as (${c.sql})`).join(', ')} ${final}`;
  return preparedRaw<T>(
    db,
    sql,
    ctes.flatMap((c) => c.bindings),
  );
}

/** The condition that makes a part write only when the part named `gate` wrote a row. */
export function existsIn(gate: string): string {
  return `exists (select 1 from ${gate})`;
}
