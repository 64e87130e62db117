import { MARIADB_INSTANT_URL } from "../../facts/migration-mysql/online-ddl-support.js";
import { type MysqlMigrationHit, mysqlMigrationRule, wantsOnlineTool } from "./mysql-migration-rule.js";
import { onlineToolCommands } from "./online-ddl-fix.js";

/**
 * The statement can only run with ALGORITHM=COPY: the server builds a new table row by row while the old one
 * takes no writes (LOCK=SHARED at best), for as long as the copy lasts.
 */
export const copyAlgorithm = mysqlMigrationRule({
  id: "migration-mysql/copy-algorithm",
  title: "ALTER copies the table and blocks writes",
  description:
    "An ALTER TABLE that only ALGORITHM=COPY can do (a column type change, DROP PRIMARY KEY alone, a foreign key with foreign_key_checks on, CONVERT TO CHARACTER SET, a STORED generated column): writes wait for the whole copy.",
  maxSeverity: "error",
  docsUrl: MARIADB_INSTANT_URL,
  check(st, facts, o) {
    if (st.plan.best !== "COPY" || st.plan.refused) return [];
    const op = st.plan.operations.find((x) => x.best === "COPY");
    const fkOff =
      st.ddl.kind === "alter-table" && st.ddl.operations.some((x) => x.kind === "add-foreign-key");
    const hit: MysqlMigrationHit = {
      severity: "warning",
      bySize: true,
      title: `${op?.operation ?? "this change"} needs ALGORITHM=COPY: writes to the table wait for the whole copy`,
      detail: `On ${facts.server.flavour === "mysql" ? "MySQL" : "MariaDB"} ${facts.server.version.join(".")} no in-place algorithm does this; the server copies every row into a new table under LOCK=SHARED (reads go on, writes wait), then swaps it in.`,
    };
    // MySQL's OPTIMIZE PARTITION rebuilds the whole table; the manual's own advice is to name the partitions.
    const optimize = op?.clauses === "ignored";
    const notes = [
      optimize
        ? "OPTIMIZE PARTITION on InnoDB rebuilds and analyzes the entire table (MySQL manual, InnoDB storage engine notes on partitioning); use REBUILD PARTITION and ANALYZE PARTITION with the same partitions instead: only those partitions are rebuilt."
        : null,
      fkOff
        ? "SET foreign_key_checks = 0 before the statement (and back to 1 after) lets it run in place without a copy, but then the existing rows are not checked: check them first with a LEFT JOIN for rows without a parent."
        : null,
      optimize
        ? null
        : wantsOnlineTool(st, o)
          ? `Run it as an online schema change, which copies in chunks while writes go on:\n${onlineToolCommands(st, facts)}`
          : "The table is small: the copy is over in moments; run it when writes are few.",
    ].filter((n): n is string => n !== null);
    hit.fix = { note: notes.join("\n") };
    return [hit];
  },
});
