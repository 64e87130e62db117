import { relationName } from "../../facts/migration/lock-model.js";
import { isExistingTable } from "../../facts/migration/migration-set.js";
import { sql } from "../../util/sql-text.js";
import { bodyOf, migrationRule } from "./migration-rule.js";
import { edit, keywordAt } from "./statement-text.js";

/** CREATE INDEX without CONCURRENTLY holds a SHARE lock, which stops every write to the table for the build. */
export const createIndexNotConcurrent = migrationRule({
  id: "migration/create-index-not-concurrent",
  title: "Index built without CONCURRENTLY",
  description:
    "CREATE INDEX takes a SHARE lock on the table for the whole build: inserts, updates and deletes wait until it ends. CREATE INDEX CONCURRENTLY builds it while writes go on (all supported versions). Not reported for tables the migration set creates.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
  check(st) {
    const body = bodyOf(st, "IndexStmt");
    const table = relationName(body?.relation);
    if (!body || body.concurrent || !isExistingTable(st, table) || !table) return [];
    // CONCURRENTLY goes right after INDEX (before IF NOT EXISTS and the name), in the user's own statement.
    const index = keywordAt(st, "INDEX");
    return [
      {
        severity: "error",
        title: `CREATE INDEX on ${table} blocks its writes for the whole build`,
        detail: `The build holds a SHARE lock on ${table}: every INSERT, UPDATE and DELETE waits until the index is built.`,
        table,
        lock: "ShareLock",
        scan: true,
        fix: {
          ...(index ? { sql: edit(st, [{ at: index.end, text: sql` CONCURRENTLY` }]) } : {}),
          note: "Run it outside a transaction block (one statement per migration, or your tool's no-transaction mode). If it fails, it leaves an INVALID index: DROP INDEX CONCURRENTLY it and run again.",
        },
      },
    ];
  },
});
