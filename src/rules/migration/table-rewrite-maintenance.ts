import { optionOn, relationName } from "../../facts/migration/lock-model.js";
import { isExistingTable } from "../../facts/migration/migration-set.js";
import { ident, type SqlText, sql } from "../../util/sql-text.js";
import { bodyOf, type MigrationHit, migrationRule } from "./migration-rule.js";
import { relationSql } from "./statement-text.js";

type Node = Record<string, unknown>;

/** VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE; REINDEX without CONCURRENTLY blocks writes. */
export const tableRewriteMaintenance = migrationRule({
  id: "migration/table-rewrite-maintenance",
  title: "VACUUM FULL, CLUSTER or blocking REINDEX",
  description:
    "VACUUM FULL and CLUSTER rewrite the whole table while reads and writes wait (pg_repack or pg_squeeze do it online). REINDEX without CONCURRENTLY (12+) blocks writes to the table and reads that would use the index.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-reindex.html#SQL-REINDEX-CONCURRENTLY",
  check(st) {
    const hits: MigrationHit[] = [];
    const vacuum = bodyOf(st, "VacuumStmt");
    const full = optionOn(vacuum?.options, "full");
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
    if (reindex && !optionOn(reindex.params, "concurrently")) {
      const kind = String(reindex.kind);
      const onTable = kind === "REINDEX_OBJECT_TABLE";
      const table = relationName(reindex.relation);
      if (onTable && table && !isExistingTable(st, table)) return hits;
      const target = table ?? (typeof reindex.name === "string" ? reindex.name : "");
      const what = REINDEX_WHAT[kind] ?? "INDEX";
      const system = kind === "REINDEX_OBJECT_SYSTEM";
      const fixSql = system ? null : concurrentReindex(kind, reindex);
      hits.push({
        severity: "warning",
        title: `REINDEX ${what}${target ? ` ${target}` : ""} without CONCURRENTLY blocks writes`,
        detail: `REINDEX locks out writes to ${onTable ? "the table" : "each table it rebuilds indexes of"} (and reads that would use the index) until the rebuild ends.`,
        ...(onTable && table ? { table } : {}),
        lock: "ShareLock",
        scan: true,
        fix: {
          ...(fixSql ? { sql: fixSql } : {}),
          note: system
            ? "System catalogs cannot be reindexed concurrently: run REINDEX SYSTEM in a maintenance window, or reindex the user indexes with REINDEX DATABASE CONCURRENTLY."
            : "REINDEX CONCURRENTLY rebuilds without blocking; run it outside a transaction block. If it fails it leaves an INVALID index named ..._ccnew: drop it and run again.",
        },
      });
    }
    return hits;
  },
});

const REINDEX_WHAT: Record<string, string> = {
  REINDEX_OBJECT_INDEX: "INDEX",
  REINDEX_OBJECT_TABLE: "TABLE",
  REINDEX_OBJECT_SCHEMA: "SCHEMA",
  REINDEX_OBJECT_DATABASE: "DATABASE",
  REINDEX_OBJECT_SYSTEM: "SYSTEM",
};

/** The same REINDEX with CONCURRENTLY (12+; every supported version), names from the parse tree. */
function concurrentReindex(kind: string, reindex: Node): SqlText | null {
  const rel = relationSql(reindex.relation);
  const name = typeof reindex.name === "string" && reindex.name ? ident(reindex.name) : null;
  if (kind === "REINDEX_OBJECT_INDEX" && rel) return sql`REINDEX INDEX CONCURRENTLY ${rel};`;
  if (kind === "REINDEX_OBJECT_TABLE" && rel) return sql`REINDEX TABLE CONCURRENTLY ${rel};`;
  if (kind === "REINDEX_OBJECT_SCHEMA" && name) return sql`REINDEX SCHEMA CONCURRENTLY ${name};`;
  // REINDEX DATABASE without a name (16+) means the current one; CONCURRENTLY skips the system catalogs.
  if (kind === "REINDEX_OBJECT_DATABASE")
    return name ? sql`REINDEX DATABASE CONCURRENTLY ${name};` : sql`REINDEX DATABASE CONCURRENTLY;`;
  return null;
}
