import { relationName } from "../../facts/migration/lock-model.js";
import { bodyOf, migrationRule } from "./migration-rule.js";

type Node = Record<string, unknown>;

/** TRUNCATE ... CASCADE also empties every table with a foreign key to it, and theirs in turn. */
export const truncateCascade = migrationRule({
  id: "migration/truncate-cascade",
  title: "TRUNCATE ... CASCADE",
  description:
    "TRUNCATE ... CASCADE empties every table that references the named ones through a foreign key, recursively, each under ACCESS EXCLUSIVE (measured: the referencing table is locked and emptied too). Which tables that is depends on the database, not on the migration: data nobody meant to delete goes with it.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-truncate.html",
  check(st) {
    const truncate = bodyOf(st, "TruncateStmt");
    if (truncate?.behavior !== "DROP_CASCADE") return [];
    const tables = ((truncate.relations as Node[]) ?? []).map((r) => relationName(r)).filter(Boolean);
    return [
      {
        severity: "error",
        title: `TRUNCATE ${tables.join(", ")} CASCADE also empties every table that references ${tables.length === 1 ? "it" : "them"}`,
        detail:
          "Every table with a foreign key to these (and every table referencing those) is truncated as well, under ACCESS EXCLUSIVE.",
        ...(tables[0] ? { table: tables[0] } : {}),
        lock: "AccessExclusiveLock",
        fix: {
          note: "Name every table to empty in the TRUNCATE and drop CASCADE: PostgreSQL then refuses if another table still references them, instead of emptying it.",
        },
      },
    ];
  },
});
