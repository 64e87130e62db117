import { mysqlMigrationRule } from "./mysql-migration-rule.js";
import { withOnlineClauses } from "./online-ddl-fix.js";

/**
 * An ALTER that can run online but does not say ALGORITHM and LOCK: the server picks on its own, and where the
 * production table differs from what was tested (a FULLTEXT index, foreign_key_checks, an older version) it falls
 * back to a copy that blocks writes without a word. With the clauses it fails at once instead.
 */
export const missingAlgorithmLock = mysqlMigrationRule({
  id: "migration-mysql/missing-algorithm-lock",
  title: "ALTER without ALGORITHM and LOCK",
  description:
    "An ALTER TABLE or CREATE/DROP INDEX that can run online but does not state ALGORITHM and LOCK: if the server cannot do it online on the production table it silently copies it and blocks writes instead of failing.",
  maxSeverity: "warning",
  docsUrl: "https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl.html",
  check(st, facts) {
    if (st.ddl.kind !== "alter-table" || st.plan.refused) return [];
    if (st.plan.best === "COPY" || st.plan.lock !== "NONE" || st.plan.unknown.length) return [];
    if (st.ddl.algorithm !== null && (st.ddl.lock !== null || st.ddl.algorithm === "INSTANT")) return [];
    if (st.ddl.operations.every((op) => op.kind === "rename-table")) return [];
    // Partition clauses take no ALGORITHM/LOCK after them (MariaDB takes none at all; MySQL only before them).
    if (st.ddl.operations.some((op) => op.kind === "partition")) return [];
    const algorithm = st.ddl.algorithm === "COPY" ? st.plan.best : (st.ddl.algorithm ?? st.plan.best);
    return [
      {
        severity: "warning",
        title: `no ${st.ddl.algorithm === null ? (st.ddl.lock === null ? "ALGORITHM or LOCK" : "ALGORITHM") : "LOCK"} clause: a fallback to a blocking copy would go unnoticed`,
        detail: `The server can do this with ALGORITHM=${st.plan.best} and LOCK=NONE here; stating both makes it refuse (ERROR 1846) rather than copy the table if production differs.`,
        fix: {
          sql: withOnlineClauses(st, algorithm, facts.server),
          note: "the same statement, refused instead of run as a blocking copy when the server cannot do it online",
        },
      },
    ];
  },
});
