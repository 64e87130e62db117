import { sqlFrom } from "../../util/sql-text.js";
import type { MysqlMigrationHit, PlannedStatement } from "./mysql-migration-rule.js";
import { mysqlMigrationRule, wantsOnlineTool } from "./mysql-migration-rule.js";
import { onlineToolCommands, withOnlineClauses, withoutClauses } from "./online-ddl-fix.js";

/**
 * The statement asks for an ALGORITHM or LOCK its operations cannot have: the server refuses it (ERROR 1846). Also
 * a clause given to a partition operation that takes none (MariaDB: a syntax error) or only DEFAULT (MySQL's
 * DISCARD/IMPORT PARTITION), and an operation the server does not have at all.
 */
export const refusedAlgorithm = mysqlMigrationRule({
  id: "migration-mysql/refused-algorithm",
  title: "ALGORITHM or LOCK the server refuses",
  description:
    "The statement asks for ALGORITHM=INSTANT/INPLACE or LOCK=NONE, which its operations do not support on the target server: the migration stops there with ERROR 1846 (or 1845 for the lock). Also ALGORITHM/LOCK where ALTER TABLE's grammar takes none (after a partition clause or DISCARD/IMPORT TABLESPACE) and a partition clause combined with other changes: ERROR 1064.",
  maxSeverity: "error",
  docsUrl: "https://dev.mysql.com/doc/refman/8.0/en/alter-table.html#alter-table-performance",
  check(st, facts, o) {
    if (!st.plan.refused) return [];
    if (st.plan.syntaxError) return [syntaxErrorHit(st)];
    if (st.plan.unsupported)
      return [
        {
          severity: "error",
          title: `the server refuses this statement: ${st.plan.unsupported}`,
          detail: `${facts.server.flavour === "mysql" ? "MySQL" : "MariaDB"} ${facts.server.version.join(".")} does not have this clause, so the migration stops here.`,
          fix: {
            note:
              facts.server.flavour === "mariadb"
                ? "MariaDB moves a partition's tablespace through a table of its own: ALTER TABLE t EXCHANGE PARTITION p WITH TABLE t_p, then ALTER TABLE t_p DISCARD TABLESPACE / IMPORT TABLESPACE (after FLUSH TABLES t_p FOR EXPORT on the source), then exchange it back."
                : "Remove the statement, or target a server that has the clause.",
          },
        },
      ];
    if (st.plan.takesNoClauses)
      return [
        {
          severity: "error",
          title: `the server refuses this statement: ${st.plan.refused}`,
          detail:
            "The server decides how this partition operation runs: ALGORITHM and LOCK cannot ask for anything here, and the statement fails as written.",
          fix: { sql: withoutClauses(st), note: "the statement without its ALGORITHM and LOCK clauses" },
        },
      ];
    const online = st.plan.best !== "COPY" && st.plan.lock === "NONE";
    return [
      {
        severity: "error",
        title: `the server refuses this statement: ${st.plan.refused}`,
        detail: `Asked: ${[st.plan.requested.algorithm && `ALGORITHM=${st.plan.requested.algorithm}`, st.plan.requested.lock && `LOCK=${st.plan.requested.lock}`].filter(Boolean).join(", ")}; the best this server can do is ALGORITHM=${st.plan.best} with LOCK=${st.plan.lock}.`,
        fix: online
          ? {
              sql: withOnlineClauses(st, st.plan.best, facts.server),
              note: "the clauses this server accepts for these operations, still online",
            }
          : {
              note: wantsOnlineTool(st, o)
                ? `No online algorithm exists for it; run it through an online schema change tool:\n${onlineToolCommands(st, facts)}`
                : "No online algorithm exists for it; drop the clauses and run it when writes are few (the table is small).",
            },
      },
    ];
  },
});

/**
 * ALGORITHM/LOCK where the grammar takes none (after a partition clause or DISCARD/IMPORT TABLESPACE, a comma
 * missing or extra before one) or a standalone clause combined with other changes: ERROR 1064, and the clause the
 * author wrote asks nothing. The fix places the clauses where they are read, or drops those the server refuses.
 */
function syntaxErrorHit(st: PlannedStatement): MysqlMigrationHit {
  const asked = [
    st.plan.requested.algorithm && `ALGORITHM=${st.plan.requested.algorithm}`,
    st.plan.requested.lock && `LOCK=${st.plan.requested.lock}`,
  ].filter(Boolean);
  const placed = st.ddl.kind === "alter-table" ? st.ddl.placedText : null;
  const fix =
    st.plan.takesNoClauses || (placed && st.plan.refusedWhenPlaced)
      ? {
          sql: withoutClauses(st),
          note: `the statement without its ALGORITHM and LOCK clauses: ${st.plan.refusedWhenPlaced ?? "this server takes none with it"}`,
        }
      : placed
        ? {
            sql: sqlFrom("statement", placed),
            note: "the same statement with its ALGORITHM and LOCK where ALTER TABLE reads them",
          }
        : { note: "Give the partition or tablespace clause an ALTER TABLE statement of its own." };
  return {
    severity: "error",
    title: `the server cannot parse this statement: ${st.plan.syntaxError}`,
    detail: `ALTER TABLE takes ALGORITHM and LOCK before a partition clause (PARTITION BY, REMOVE PARTITIONING, ADD/DROP/REORGANIZE... PARTITION) or DISCARD/IMPORT TABLESPACE, never after, and those clauses stand alone or last: the migration stops here${asked.length ? `, and ${asked.join(", ")} is never applied` : ""}.${st.plan.refusedWhenPlaced ? "" : ` With the clauses in place the server would run it with ALGORITHM=${st.plan.used} and LOCK=${st.plan.usedLock}.`}`,
    fix,
  };
}
