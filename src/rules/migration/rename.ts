import { relationName, relationParts } from "../../facts/migration/lock-model.js";
import { isExistingTable } from "../../facts/migration/migration-set.js";
import { qname, sql } from "../../util/sql-text.js";
import { bodyOf, migrationRule } from "./migration-rule.js";

/** A rename is instant for PostgreSQL and immediate breakage for the application still running the old code. */
export const renameObject = migrationRule({
  id: "migration/rename",
  title: "Renaming a table, column or enum value",
  description:
    "RENAME is a catalog change, but the application version still running during the deploy reads the old name and fails until the new code is out. Expand and contract: add the new name (a column kept in sync, or a view), move the code, then drop the old.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-altertable.html",
  check(st) {
    // ALTER TABLE ... SET SCHEMA moves the table: a rename of its qualified name (squawk's ban-set-schema).
    const move = bodyOf(st, "AlterObjectSchemaStmt");
    const moved = move?.objectType === "OBJECT_TABLE" ? relationName(move.relation) : null;
    if (moved && isExistingTable(st, moved))
      return [
        {
          severity: "warning" as const,
          title: `Moving table ${moved} to schema ${String(move?.newschema)} breaks the code that still finds it in the old one`,
          detail:
            "Queries that name the old schema, or find the table through a search_path without the new one, fail from the moment this commits.",
          table: moved,
          lock: "AccessExclusiveLock" as const,
          fix: {
            note: "Move it, and in the same transaction leave a view with the old qualified name (CREATE VIEW old_schema.name AS SELECT * FROM new_schema.name) until the old code is gone.",
          },
        },
      ];
    const rename = bodyOf(st, "RenameStmt");
    if (rename?.renameType === "OBJECT_SCHEMA")
      return [
        {
          severity: "warning" as const,
          title: `Renaming schema ${String(rename.subname)} breaks every query that names it`,
          detail:
            "Every table, view and function in the schema moves to the new name at once; queries and search_path settings of the running application that name the old schema fail until the new code is out.",
          fix: {
            note: "Create the new schema and move objects one at a time with views or synonyms left behind, or rename in a maintenance window together with the code and search_path change.",
          },
        },
      ];
    if (rename) {
      const table = relationName(rename.relation);
      if (!table || !isExistingTable(st, table)) return [];
      const what =
        rename.renameType === "OBJECT_COLUMN"
          ? `column ${table}.${rename.subname}`
          : rename.renameType === "OBJECT_TABLE"
            ? `table ${table}`
            : null;
      if (!what) return [];
      return [
        {
          severity: "warning" as const,
          title: `Renaming ${what} breaks the code that still uses the old name`,
          detail: `Queries of the running application that name the old ${rename.renameType === "OBJECT_COLUMN" ? "column" : "table"} fail from the moment this commits until the new code is deployed.`,
          table,
          lock: "AccessExclusiveLock" as const,
          fix: {
            note:
              rename.renameType === "OBJECT_COLUMN"
                ? "Add the new column, write both (a trigger or the application), backfill, switch reads, then drop the old column in a later release."
                : `Rename, and in the same transaction ${viewBack(rename)} (a simple view is updatable) until the old code is gone.`,
          },
        },
      ];
    }
    const alterEnum = bodyOf(st, "AlterEnumStmt");
    if (alterEnum?.oldVal)
      return [
        {
          severity: "warning" as const,
          title: `Renaming enum value '${alterEnum.oldVal}' breaks code and data that use it`,
          detail:
            "Rows keep their value under its new name at once; the running application still writes and compares the old one.",
          fix: {
            note: "Add the new value, move the code and the rows to it, and stop using the old one (enum values cannot be dropped).",
          },
        },
      ];
    return [];
  },
});

/** CREATE VIEW under the old name over the renamed table (same schema), names quoted. */
function viewBack(rename: Record<string, unknown>): string {
  const old = relationParts(rename.relation);
  if (!old || typeof rename.newname !== "string") return "leave a view under the old name";
  return sql`CREATE VIEW ${qname(old.schema, old.name)} AS SELECT * FROM ${qname(old.schema, rename.newname)};`;
}
