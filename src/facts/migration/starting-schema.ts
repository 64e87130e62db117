/**
 * The schema a migration set starts from: which tables exist (with their sizes, from a live database), their
 * column types, and which table each index belongs to. From a pg_dump --schema-only file, or read-only from a
 * database.
 */
import { readFileSync } from "node:fs";
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { InputError } from "../../util/input-error.js";
import { columnType } from "./column-type.js";
import { relationName } from "./lock-model.js";
import { type MigrationFacts, normaliseTable, readMigrationSet, type TableSize } from "./migration-set.js";

type Node = Record<string, unknown>;

export interface StartingSchema {
  existing: Map<string, TableSize>;
  indexTables: Map<string, string>;
  columnTypes: NonNullable<MigrationFacts["columnTypes"]>;
  /** Read from a database only: a dump's constraints are not collected. */
  constraints?: MigrationFacts["constraints"];
  pgVersion: number | null;
}

/** A schema dump: every table it creates exists before the migrations. psql meta-commands (\connect, \restrict) are skipped. */
export function schemaFromDump(file: string): StartingSchema {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new InputError(`cannot read ${file}`, "give the path of a pg_dump --schema-only file");
  }
  const sql = text.replace(/^\\.*$/gm, "");
  // Reading the dump as a migration set gives the column types it defines, the way the rules read them.
  const set = readMigrationSet([{ file, text: sql }], { pgVersion: 16 });
  const existing = new Map<string, TableSize>();
  const columnTypes: StartingSchema["columnTypes"] = new Map();
  const addColumn = (table: string, def: Node | undefined) => {
    const type = columnType(def);
    if (!def || !type || typeof def.colname !== "string") return;
    columnTypes.set(table, (columnTypes.get(table) ?? new Map()).set(def.colname, type));
  };
  for (const st of set.statements) {
    const create = st.stmt.CreateStmt as Node | undefined;
    const alter = st.stmt.AlterTableStmt as Node | undefined;
    const name = relationName(create?.relation ?? alter?.relation);
    if (!name) continue;
    const table = normaliseTable(name);
    if (create) {
      existing.set(table, { rows: null, bytes: null });
      for (const e of (create.tableElts as Node[]) ?? []) addColumn(table, e.ColumnDef as Node | undefined);
    }
    // pg_dump writes a column added to a table later inside its CREATE TABLE, but hand-written dumps may not.
    for (const c of (alter?.cmds as Node[]) ?? []) {
      const cmd = c.AlterTableCmd as Node;
      if (cmd.subtype === "AT_AddColumn") addColumn(table, (cmd.def as Node).ColumnDef as Node);
    }
  }
  return { existing, indexTables: set.indexTables, columnTypes, pgVersion: null };
}

/** Tables (with sizes), column types and index owners of a live database, read-only. */
export async function schemaFromDatabase(db: PostgresConnector): Promise<StartingSchema> {
  const tables = await db.query<{ name: string; rows: number; bytes: number }>(
    `select case when n.nspname = 'public' then c.relname else n.nspname || '.' || c.relname end as name,
            greatest(c.reltuples, 0)::float8 as rows, pg_total_relation_size(c.oid)::float8 as bytes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg_toast%'`,
  );
  const columns = await db.query<{
    table: string;
    column: string;
    type: string;
    mods: string | null;
    dims: number;
  }>(
    `select case when n.nspname = 'public' then c.relname else n.nspname || '.' || c.relname end as table,
            a.attname as column, t.typname as type, substring(format_type(a.atttypid, a.atttypmod) from '\\(([0-9, ]+)\\)') as mods,
            a.attndims as dims
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_type t on t.oid = a.atttypid
      where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
        and n.nspname not in ('pg_catalog', 'information_schema')`,
  );
  const indexes = await db.query<{ index: string; table: string }>(
    `select i.relname as index, case when n.nspname = 'public' then t.relname else n.nspname || '.' || t.relname end as table
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'`,
  );
  const constraintRows = await db.query<{
    table: string;
    name: string;
    type: string;
    definition: string;
    validated: boolean;
  }>(
    `select case when n.nspname = 'public' then c.relname else n.nspname || '.' || c.relname end as table,
            k.conname as name, k.contype::text as type, pg_get_constraintdef(k.oid) as definition,
            k.convalidated as validated
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'`,
  );
  const constraints: NonNullable<StartingSchema["constraints"]> = new Map();
  for (const { table, name, ...constraint } of constraintRows)
    constraints.set(table, (constraints.get(table) ?? new Map()).set(name, constraint));
  const [version] = await db.query<{ major: number }>(
    "select (current_setting('server_version_num')::int / 10000) as major",
  );
  const columnTypes: StartingSchema["columnTypes"] = new Map();
  for (const c of columns) {
    const array = c.type.startsWith("_");
    const type = {
      name: array ? c.type.slice(1) : c.type,
      mods: c.mods ? c.mods.split(",").map((m) => Number(m.trim())) : [],
      array,
    };
    columnTypes.set(c.table, (columnTypes.get(c.table) ?? new Map()).set(c.column, type));
  }
  return {
    existing: new Map(tables.map((t) => [t.name, { rows: t.rows, bytes: t.bytes }])),
    indexTables: new Map(indexes.map((i) => [i.index, i.table])),
    columnTypes,
    constraints,
    pgVersion: version?.major ?? null,
  };
}
