import { MARIADB_INPLACE_URL } from "../../facts/migration-mysql/online-ddl-support.js";
import { mysqlMigrationRule, wantsOnlineTool } from "./mysql-migration-rule.js";
import { onlineToolCommands } from "./online-ddl-fix.js";

/**
 * In place, but without concurrent writes: a FULLTEXT or SPATIAL index, an AUTO_INCREMENT column. No copy is made,
 * yet writes wait for the whole build (LOCK=NONE is refused).
 */
export const noConcurrentDml = mysqlMigrationRule({
  id: "migration-mysql/no-concurrent-dml",
  title: "ALTER runs in place but blocks writes",
  description:
    "An ALTER TABLE done in place that does not permit concurrent DML (adding a FULLTEXT or SPATIAL index, adding an AUTO_INCREMENT column): LOCK=NONE is refused and writes wait for the whole build.",
  maxSeverity: "error",
  docsUrl: MARIADB_INPLACE_URL,
  check(st, facts, o) {
    if (st.plan.best === "COPY" || st.plan.lock === "NONE" || st.plan.refused) return [];
    // DISCARD/IMPORT TABLESPACE of the whole table lock out reads too: migration-mysql/transport-tablespace.
    if (st.ddl.kind === "alter-table" && st.ddl.operations.some((x) => x.kind === "tablespace")) return [];
    const op = st.plan.operations.find((x) => x.lock !== "NONE");
    // DISCARD/IMPORT PARTITION ... TABLESPACE detach or attach files: no copy to spread out with a tool.
    const tablespace = st.plan.operations.some((x) => x.clauses === "default-only");
    return [
      {
        severity: "warning",
        bySize: true,
        title: `${op?.operation ?? "this change"} runs in place but takes LOCK=SHARED: writes wait until it ends`,
        detail: `The server builds it without copying the table (ALGORITHM=${st.plan.best}), but does not let writes run meanwhile; LOCK=NONE would be refused.`,
        fix: {
          note: tablespace
            ? "It copies no row and is over in moments, yet writes to the table wait for it: run it when writes are few."
            : wantsOnlineTool(st, o)
              ? `Run it through an online schema change tool, which builds a copy in chunks while writes go on:\n${onlineToolCommands(st, facts)}`
              : "The table is small: the build is short; run it when writes are few.",
        },
      },
    ];
  },
});
