import { isExistingTable } from "../../facts/migration/migration-set.js";
import { ident, sql } from "../../util/sql-text.js";
import { columnConstraints, columnType } from "./column-def.js";
import { alterTableCommands, migrationRule } from "./migration-rule.js";
import { relationSql, typeSource } from "./statement-text.js";

type Node = Record<string, unknown>;

/** A NOT NULL column with no default cannot be added to a table that has rows: the migration fails. */
export const addNotNullColumnWithoutDefault = migrationRule({
  id: "migration/add-not-null-column-without-default",
  title: "NOT NULL column added without a default",
  description:
    "ALTER TABLE ... ADD COLUMN ... NOT NULL without a DEFAULT fails with 'column contains null values' on any table that has rows. It works in development on empty tables and breaks in production.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-altertable.html",
  check(st) {
    return alterTableCommands(st).flatMap(({ table, rel, cmd }) => {
      if (cmd.subtype !== "AT_AddColumn" || !table || !isExistingTable(st, table)) return [];
      const def = (cmd.def as Node).ColumnDef as Node;
      const constraints = columnConstraints(def);
      const notNull = constraints.some(
        (c) => c.contype === "CONSTR_NOTNULL" || c.contype === "CONSTR_PRIMARY",
      );
      const filled = constraints.some((c) =>
        ["CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"].includes(String(c.contype)),
      );
      const type = columnType(def);
      if (!notNull || filled || /serial/.test(type?.name ?? "")) return [];
      const column = String(def.colname);
      const t = relationSql(rel);
      const typeSql = typeSource(st, def.typeName as Node | undefined);
      return [
        {
          severity: "error" as const,
          title: `Adding NOT NULL ${column} without a default fails on a table with rows`,
          detail: `${table} already exists: unless it is empty, PostgreSQL refuses the column ("column ${column} contains null values").`,
          table,
          lock: "AccessExclusiveLock" as const,
          fix: {
            ...(t && typeSql ? { sql: sql`ALTER TABLE ${t} ADD COLUMN ${ident(column)} ${typeSql};` } : {}),
            note: "Add it nullable (above), backfill in batches, then SET NOT NULL the safe way (see migration/set-not-null). Or keep NOT NULL and give it a constant DEFAULT: instant since PostgreSQL 11.",
          },
        },
      ];
    });
  },
});
