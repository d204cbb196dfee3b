import type { Knex } from 'knex';

// The row types of src/store/tables/ describe the schema the migrations build, as the drivers
// return it: timestamptz as Date, bigint as number (see database.ts), numeric as string, bytea as
// Uint8Array (a Buffer on PostgreSQL), arrays as arrays, jsonb parsed.
//
// What a jsonb column holds, or which values an unchecked text column takes, is known to the
// module that writes it rather than to the schema. That module declares it here, next to its type:
//
//   declare module '../store/tables/column-types.ts' {
//     interface ColumnTypes { 'organizations.new_member_defaults': NewMemberDefaults }
//   }
//
// and the row type picks it up; a column nobody declares keeps the schema's own type.

/** @public Filled by declaration merging in the modules that own the columns. */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging.
export interface ColumnTypes {}

/** The type of `table.column` its owner declared in ColumnTypes, or `Schema` when none did. */
export type Column<Key extends string, Schema> = Key extends keyof ColumnTypes
  ? ColumnTypes[Key]
  : Schema;

/**
 * A table for knex: reads return `Row`; inserts and updates name only its columns, with values
 * as the callers write them (JSON text for jsonb, ISO strings or `now()` for timestamps).
 */
export type Table<Row> = Knex.CompositeTableType<
  Row,
  { [Name in keyof Row]?: unknown },
  { [Name in keyof Row]?: unknown }
>;
