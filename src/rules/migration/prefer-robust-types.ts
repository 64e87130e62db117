import { relationName } from "../../facts/migration/lock-model.js";
import { columnConstraints, columnType } from "./column-def.js";
import { alterTableCommands, bodyOf, type MigrationHit, migrationRule } from "./migration-rule.js";

type Node = Record<string, unknown>;

/**
 * Types that are cheap to choose now and expensive to change later: json (no equality, no GIN), timestamp without
 * time zone (ambiguous instants), int4 keys (2.1 billion, then a rewrite of the table and every referencing one).
 */
export const preferRobustTypes = migrationRule({
  id: "migration/prefer-robust-types",
  title: "Type that is costly to change later",
  description:
    "json instead of jsonb, timestamp without time zone instead of timestamptz, and integer (serial) primary keys instead of bigint, in new columns. Advice, not a hazard: changing any of them later rewrites the table.",
  maxSeverity: "info",
  docsUrl: "https://wiki.postgresql.org/wiki/Don%27t_Do_This",
  check(st) {
    const defs: Array<{ table: string | null; def: Node; key: boolean }> = [];
    const create = bodyOf(st, "CreateStmt");
    if (create) {
      const table = relationName(create.relation);
      const pkColumns = new Set(
        ((create.tableElts as Node[]) ?? [])
          .map((e) => e.Constraint as Node | undefined)
          .filter((c) => c?.contype === "CONSTR_PRIMARY")
          .flatMap((c) => ((c?.keys as Node[]) ?? []).map((k) => String((k.String as Node).sval))),
      );
      for (const e of (create.tableElts as Node[]) ?? []) {
        const def = e.ColumnDef as Node | undefined;
        if (def)
          defs.push({
            table,
            def,
            key:
              pkColumns.has(String(def.colname)) ||
              columnConstraints(def).some((c) => c.contype === "CONSTR_PRIMARY"),
          });
      }
    }
    for (const { table, cmd } of alterTableCommands(st))
      if (cmd.subtype === "AT_AddColumn")
        defs.push({ table, def: (cmd.def as Node).ColumnDef as Node, key: false });

    const hits: MigrationHit[] = [];
    for (const { table, def, key } of defs) {
      const type = columnType(def);
      const column = `${table}.${def.colname}`;
      const advice = (title: string, detail: string, sqlType: string) =>
        hits.push({ severity: "info", title, detail, fix: { note: `Declare ${column} as ${sqlType}.` } });
      if (type?.name === "json")
        advice(
          `${column} is json, not jsonb`,
          "json keeps the text as written: no equality operator, no GIN index, parsed again on every access.",
          "jsonb",
        );
      if (type?.name === "timestamp")
        advice(
          `${column} is timestamp without time zone`,
          "It stores a wall-clock reading with no zone: the same instant reads differently across servers and sessions.",
          "timestamptz",
        );
      if (key && ["int4", "serial", "serial4", "int2", "smallserial"].includes(type?.name ?? ""))
        advice(
          `Primary key ${column} is a 32-bit integer`,
          "It runs out at 2,147,483,647; widening it later rewrites the table and every table that references it.",
          type?.name?.includes("serial") ? "bigint GENERATED ALWAYS AS IDENTITY" : "bigint",
        );
    }
    return hits;
  },
});
