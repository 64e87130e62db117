import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { ConstraintFacts } from "../snapshot.js";
import { userSchemaFilter } from "./user-schemas.js";

const TYPES: Record<string, ConstraintFacts["type"]> = {
  p: "primary",
  u: "unique",
  f: "foreign",
  c: "check",
  x: "exclusion",
  n: "not-null",
  t: "trigger",
};

type Row = Record<string, unknown>;

/** Constraints on user tables, with their columns in key order and, for foreign keys, the referenced side. */
export async function collectConstraints(
  db: PostgresConnector,
  locked: number[] = [],
): Promise<ConstraintFacts[]> {
  const columnsOf = (keys: string, rel: string) =>
    `array(select a.attname::text from unnest(con.${keys}) with ordinality k(attnum, ord)
             join pg_attribute a on a.attrelid = con.${rel} and a.attnum = k.attnum order by k.ord)`;
  const rows = await db.query<Row>(
    `
    select n.nspname as schema, c.relname as table_name, con.conname as name, con.contype::text as type,
           pg_get_constraintdef(con.oid) as definition, con.convalidated as validated,
           ${columnsOf("conkey", "conrelid")} as columns,
           rn.nspname as ref_schema, rc.relname as ref_table,
           ${columnsOf("confkey", "confrelid")} as ref_columns,
           pn.nspname as parent_schema, pcl.relname as parent_table, pcon.conname as parent_name
      from pg_constraint con
      join pg_class c on c.oid = con.conrelid
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_class rc on rc.oid = con.confrelid
      left join pg_namespace rn on rn.oid = rc.relnamespace
      left join pg_constraint pcon on pcon.oid = con.conparentid
      left join pg_class pcl on pcl.oid = pcon.conrelid
      left join pg_namespace pn on pn.oid = pcl.relnamespace
     where ${userSchemaFilter("n")} and con.conrelid <> all($1::oid[])
     order by n.nspname, c.relname, con.conname`,
    [locked],
  );
  return rows.map((r) => ({
    schema: String(r.schema),
    table: String(r.table_name),
    name: String(r.name),
    type: TYPES[String(r.type)] ?? "check",
    definition: String(r.definition),
    columns: (r.columns as string[]) ?? [],
    validated: Boolean(r.validated),
    refSchema: (r.ref_schema as string | null) ?? null,
    refTable: (r.ref_table as string | null) ?? null,
    refColumns: (r.ref_columns as string[]) ?? [],
    parent:
      r.parent_name !== null && r.parent_name !== undefined
        ? { schema: String(r.parent_schema), table: String(r.parent_table), name: String(r.parent_name) }
        : null,
  }));
}
