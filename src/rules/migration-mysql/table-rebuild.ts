import { MARIADB_INPLACE_URL } from "../../facts/migration-mysql/online-ddl-support.js";
import { mysqlMigrationRule } from "./mysql-migration-rule.js";
import { withOnlineClauses } from "./online-ddl-fix.js";

/**
 * Online (LOCK=NONE) but rebuilding the table: writes go on, yet the rebuild reads and writes the whole table,
 * needs free space for a second copy, keeps concurrent writes in an online log that can overflow
 * (innodb_online_alter_log_max_size), and replicas apply it in one piece after the primary is done.
 */
export const tableRebuild = mysqlMigrationRule({
  id: "migration-mysql/table-rebuild",
  title: "ALTER rebuilds the table in place",
  description:
    "An ALTER TABLE that runs with LOCK=NONE but rebuilds the table (ADD/DROP COLUMN in place, NULL/NOT NULL, ROW_FORMAT, FORCE, a new primary key): it takes the time and disk of a full copy, and replicas lag by as long.",
  maxSeverity: "warning",
  docsUrl: MARIADB_INPLACE_URL,
  check(st, facts) {
    if (!st.plan.rebuild || st.plan.used === "COPY" || st.plan.usedLock !== "NONE" || st.plan.refused)
      return [];
    // MySQL runs ALGORITHM=INPLACE in place even when INSTANT could: the rebuild is the clause's doing.
    const forced = st.plan.best === "INSTANT" && st.plan.used === "INPLACE";
    return [
      {
        severity: "info",
        bySize: true,
        title: forced
          ? "ALGORITHM=INPLACE rebuilds the table where ALGORITHM=INSTANT would not"
          : `${st.plan.operations.find((x) => x.rebuildsInPlace)?.operation ?? "this change"} rebuilds the table in place`,
        detail: forced
          ? `MySQL does what ALGORITHM=INPLACE asks, rebuilding the table; every operation of this statement can be done instantly (metadata only).`
          : "Writes go on (LOCK=NONE), but the whole table is read and written again: it needs free disk for a second copy, concurrent writes are kept in an online log that fails the ALTER when it exceeds innodb_online_alter_log_max_size, and replicas apply the statement only when it has finished on the primary.",
        ...(forced
          ? {
              fix: {
                sql: withOnlineClauses(st, "INSTANT", facts.server),
                note: "the same change done instantly, with no rebuild",
              },
            }
          : {
              fix: {
                note: "run it when writes are few, with free disk for a copy of the table; on a large table with replicas, pt-online-schema-change or gh-ost keep replica lag low",
              },
            }),
      },
    ];
  },
});
