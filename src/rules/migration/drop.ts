import { listName, listParts } from "../../facts/migration/lock-model.js";
import { isExistingTable } from "../../facts/migration/migration-set.js";
import { alterTableCommands, bodyOf, type MigrationHit, migrationRule } from "./migration-rule.js";

/** Dropping what the running code reads breaks it; ORMs that select every column break on a dropped column too. */
export const dropObject = migrationRule({
  id: "migration/drop",
  title: "Dropping a table or column",
  description:
    "DROP TABLE and DROP COLUMN lose data and break any running code that reads them; ORMs that list every column of a model fail on a dropped one until the new code is deployed. Stop using it in the application first (e.g. Prisma: remove the field; Rails: ignored_columns), deploy, then drop.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-DROP-COLUMN",
  check(st) {
    const hits: MigrationHit[] = [];
    const drop = bodyOf(st, "DropStmt");
    if (drop?.removeType === "OBJECT_TABLE")
      for (const o of (drop.objects as Array<Record<string, unknown>>) ?? []) {
        const table = listName(o);
        if (!table || !isExistingTable(st, table)) continue;
        hits.push({
          severity: "warning",
          title: `DROP TABLE ${table} deletes its data and breaks code that still reads it`,
          detail: `Make sure no deployed code reads ${table}, and that its data is backed up or no longer needed. If ${table} has foreign keys, the drop also takes ACCESS EXCLUSIVE on every table they reference (measured on PostgreSQL 15): reads and writes of those wait too.`,
          table,
          lock: "AccessExclusiveLock",
          fix: {
            note: "Remove every use in the application and deploy first; consider renaming it aside for a release before dropping.",
          },
        });
      }
    // Views, schemas, functions, types and sequences the running code uses break it the same way (squawk's
    // ban-drop-view, ban-drop-schema, ban-drop-function, ban-drop-type, ban-drop-sequence).
    const kind = OTHER_KINDS[String(drop?.removeType)];
    if (drop && kind)
      for (const o of (drop.objects as Array<Record<string, unknown>>) ?? []) {
        const name = objectName(o);
        if (!name || (kind === "materialized view" && !isExistingTable(st, name))) continue;
        hits.push({
          severity: "warning",
          title: `DROP ${kind.toUpperCase()} ${name} breaks code that still uses it`,
          detail: `Queries of the running application that use ${name} fail from the moment this commits${drop.behavior === "DROP_CASCADE" ? "; CASCADE also drops everything that depends on it (views, columns of that type, defaults using it), whatever the migration says" : ""}.`,
          fix: {
            note: "Remove every use in the application and deploy first; drop it in a later migration, without CASCADE so PostgreSQL names what still depends on it.",
          },
        });
      }
    for (const { table, cmd } of alterTableCommands(st)) {
      if (cmd.subtype !== "AT_DropColumn" || !table || !isExistingTable(st, table)) continue;
      hits.push({
        severity: "warning",
        title: `DROP COLUMN ${table}.${cmd.name} breaks code that still reads it`,
        detail:
          "The column disappears when this commits; the application version still running selects it (ORMs list every column) and fails until the new code is out.",
        table,
        lock: "AccessExclusiveLock",
        fix: {
          note: "Stop reading and writing the column in the application and deploy; drop it in a later migration.",
        },
      });
    }
    return hits;
  },
});

const OTHER_KINDS: Record<string, string> = {
  OBJECT_VIEW: "view",
  OBJECT_MATVIEW: "materialized view",
  OBJECT_SCHEMA: "schema",
  OBJECT_FUNCTION: "function",
  OBJECT_PROCEDURE: "procedure",
  OBJECT_TYPE: "type",
  OBJECT_DOMAIN: "domain",
  OBJECT_SEQUENCE: "sequence",
};

type Node = Record<string, unknown>;

/** The dotted name of a dropped object, whatever node the parser used for it. */
function objectName(o: Node): string | null {
  const parts = listParts(o);
  if (parts.length) return parts.join(".");
  const single = (o.String as Node | undefined)?.sval;
  if (typeof single === "string") return single;
  const names = ((o.TypeName as Node | undefined)?.names ??
    (o.ObjectWithArgs as Node | undefined)?.objname) as Node[] | undefined;
  const joined = (names ?? []).map((n) => String((n.String as Node | undefined)?.sval ?? "")).join(".");
  return joined || null;
}
