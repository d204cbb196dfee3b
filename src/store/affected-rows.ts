// knex's pg client answers an update or delete with a row count; knex-pglite answers with the
// raw result ({ rowCount, affectedRows, … }). Use cases read the count through this.
export function affectedRows(result: unknown): number {
  if (typeof result === 'number') return result;
  const raw = result as { rowCount?: number | null; affectedRows?: number } | null;
  return raw?.affectedRows ?? raw?.rowCount ?? 0;
}
