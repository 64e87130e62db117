import { listName } from "../../facts/migration/lock-model.js";
import { indexTable, isExistingTable } from "../../facts/migration/migration-set.js";
import { sql } from "../../util/sql-text.js";
import { bodyOf, migrationRule } from "./migration-rule.js";
import { listSql } from "./statement-text.js";

/** DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table: reads queue too, behind any long query. */
export const dropIndexNotConcurrent = migrationRule({
  id: "migration/drop-index-not-concurrent",
  title: "Index dropped without CONCURRENTLY",
  description:
    "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table; waiting for it behind a long query queues every read and write. DROP INDEX CONCURRENTLY waits for other transactions without blocking them. Not reported for indexes on tables the set creates.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-dropindex.html",
  check(st, facts) {
    const body = bodyOf(st, "DropStmt");
    if (body?.removeType !== "OBJECT_INDEX" || body.concurrent) return [];
    return ((body.objects as Array<Record<string, unknown>>) ?? []).flatMap((o) => {
      const index = listName(o);
      const table = index ? indexTable(facts.indexTables, index) : null;
      if (table !== null && !isExistingTable(st, table)) return [];
      const name = listSql(o);
      return [
        {
          severity: "warning" as const,
          title: `DROP INDEX ${index} locks ${table ?? "its table"} against reads and writes`,
          detail: `The drop needs an ACCESS EXCLUSIVE lock on ${table ?? "the table"}; while it waits for running queries, every new query on the table queues behind it.`,
          ...(table ? { table } : {}),
          lock: "AccessExclusiveLock" as const,
          fix: {
            ...(name
              ? { sql: sql`DROP INDEX CONCURRENTLY ${body.missing_ok ? sql`IF EXISTS ` : sql``}${name};` }
              : {}),
            note: `Run it outside a transaction block, one index per statement${body.behavior === "DROP_CASCADE" ? "; CONCURRENTLY cannot CASCADE: drop what depends on the index first" : ""}.`,
          },
        },
      ];
    });
  },
});
