import { stringifyJson } from "../util/json-text.js";
import { ident, list, sql, sqlFrom } from "../util/sql-text.js";
import type { StoreConnection } from "./store-connection.js";

export type ColumnType =
  | "bigint"
  | "integer"
  | "float8"
  | "text"
  | "boolean"
  | "timestamptz"
  | "numeric"
  | "jsonb";

/**
 * Insert many rows in one statement: each column travels as one array parameter and unnest() turns them back
 * into rows, so 5,000 statements cost one round trip, not 5,000.
 */
export async function insertRows(
  store: StoreConnection,
  table: string,
  columns: ReadonlyArray<readonly [name: string, type: ColumnType]>,
  rows: ReadonlyArray<readonly unknown[]>,
  suffix = "",
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return [];
  const arrays = columns.map((_, i) => rows.map((row) => normalise(row[i], columns[i]?.[1] ?? "text")));
  const names = list(columns.map(([name]) => ident(name)));
  const unnested = list(columns.map(([, type], i) => sql`$${i + 1}::${sqlType(type)}[]`));
  return store.query(
    `${sql`insert into ${ident("dbopt_store")}.${ident(table)} (${names}) select * from unnest(${unnested})`} ${suffix}`,
    arrays,
  );
}

function sqlType(type: ColumnType) {
  // A type name from the ColumnType union, dbopt's own words.
  return sqlFrom("dbopt", type);
}

function normalise(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  // A bigint given as text (a queryid) may not fit a double: it goes as it is.
  if ((type === "bigint" || type === "integer") && typeof value === "number") return Math.round(value);
  if (type === "timestamptz") return value instanceof Date ? value.toISOString() : String(value);
  if (type === "jsonb") return typeof value === "string" ? value : stringifyJson(value);
  return value;
}
