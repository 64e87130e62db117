import { relationName } from "../../facts/migration/lock-model.js";
import { isExistingTable } from "../../facts/migration/migration-set.js";
import { bodyOf, type MigrationHit, migrationRule } from "./migration-rule.js";

type Node = Record<string, unknown>;

/** VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE; REINDEX without CONCURRENTLY blocks writes. */
export const tableRewriteMaintenance = migrationRule({
  id: "migration/table-rewrite-maintenance",
  title: "VACUUM FULL, CLUSTER or blocking REINDEX",
  description:
    "VACUUM FULL and CLUSTER rewrite the whole table while reads and writes wait (pg_repack or pg_squeeze do it online). REINDEX without CONCURRENTLY (12+) blocks writes to the table and reads that would use the index.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-reindex.html#SQL-REINDEX-CONCURRENTLY",
  check(st, facts) {
    const hits: MigrationHit[] = [];
    const vacuum = bodyOf(st, "VacuumStmt");
    const full = ((vacuum?.options as Node[]) ?? []).some(
      (o) => (o.DefElem as Node | undefined)?.defname === "full",
    );
    const rels = ((vacuum?.rels as Node[]) ?? []).map((r) =>
      relationName((r.VacuumRelation as Node).relation),
    );
    // VACUUM FULL with no table names rewrites every table of the database.
    const targets: Array<string | null> = full ? (rels.length ? rels : [null]) : [];
    const cluster = bodyOf(st, "ClusterStmt");
    if (cluster) targets.push(relationName(cluster.relation));
    for (const table of targets) {
      if (table && !isExistingTable(st, table)) continue;
      hits.push({
        severity: "error",
        title: `${full ? "VACUUM FULL" : "CLUSTER"} rewrites ${table ?? "every table"} while it is locked`,
        detail:
          "The table is copied to a new file while reads and writes wait (ACCESS EXCLUSIVE), and needs free disk for a second copy.",
        ...(table ? { table } : {}),
        lock: "AccessExclusiveLock",
        rewrite: true,
        fix: {
          note: "Use pg_repack (or pg_squeeze), which rebuild online; or plain VACUUM if the aim is to make space reusable.",
        },
      });
    }
    const reindex = bodyOf(st, "ReindexStmt");
    const concurrently = ((reindex?.params as Node[]) ?? []).some(
      (o) => (o.DefElem as Node | undefined)?.defname === "concurrently",
    );
    if (reindex && !concurrently) {
      const target = relationName(reindex.relation) ?? String(reindex.name ?? "");
      hits.push({
        severity: "warning",
        title: `REINDEX ${target} without CONCURRENTLY blocks writes`,
        detail:
          "REINDEX locks out writes to the table (and reads that would use the index) until the rebuild ends.",
        ...(reindex.kind === "REINDEX_OBJECT_TABLE" && target ? { table: target } : {}),
        lock: "ShareLock",
        scan: true,
        fix: {
          ...(facts.pgVersion >= 12
            ? {
                sql: st.sql
                  .replace(/^reindex\s+(\w+)\s+/i, "REINDEX $1 CONCURRENTLY ")
                  .replace(/;?\s*$/, ";"),
              }
            : {}),
          note: "REINDEX CONCURRENTLY (PostgreSQL 12+) rebuilds without blocking; run it outside a transaction block.",
        },
      });
    }
    return hits;
  },
});
