import { relationName } from "../../facts/migration/lock-model.js";
import { isExistingTable } from "../../facts/migration/migration-set.js";
import { sql } from "../../util/sql-text.js";
import { alterTableCommands, type MigrationHit, migrationRule } from "./migration-rule.js";
import { relationSql } from "./statement-text.js";

type Node = Record<string, unknown>;

/**
 * DETACH PARTITION takes ACCESS EXCLUSIVE on the partitioned table and the partition (measured with pg_locks on
 * PostgreSQL 15): every query on the whole partitioned table queues behind it while it waits. CONCURRENTLY
 * (PostgreSQL 14+) takes SHARE UPDATE EXCLUSIVE instead.
 */
export const detachPartitionNotConcurrent = migrationRule({
  id: "migration/detach-partition-not-concurrent",
  title: "Partition detached without CONCURRENTLY",
  description:
    "ALTER TABLE ... DETACH PARTITION takes ACCESS EXCLUSIVE on the partitioned table: while it waits for running queries, every read and write of every partition queues behind it. DETACH PARTITION ... CONCURRENTLY (14+) holds SHARE UPDATE EXCLUSIVE and waits for older queries without blocking new ones.",
  maxSeverity: "warning",
  appliesFrom: 14,
  docsUrl: "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION",
  check(st) {
    const hits: MigrationHit[] = [];
    for (const { table, rel, cmd } of alterTableCommands(st)) {
      if (cmd.subtype !== "AT_DetachPartition" || !table || !isExistingTable(st, table)) continue;
      const partition = (cmd.def as Node).PartitionCmd as Node;
      if (partition.concurrent) continue;
      const child = relationName(partition.name);
      const parent = relationSql(rel);
      const childSql = relationSql(partition.name);
      hits.push({
        severity: "warning",
        title: `DETACH PARTITION ${child} locks all of ${table} against reads and writes`,
        detail: `The detach needs ACCESS EXCLUSIVE on ${table} and on ${child}; while it waits behind a running query, every query on any partition of ${table} queues behind it.`,
        table,
        lock: "AccessExclusiveLock",
        fix: {
          ...(parent && childSql
            ? { sql: sql`ALTER TABLE ${parent} DETACH PARTITION ${childSql} CONCURRENTLY;` }
            : {}),
          note: "Run it outside a transaction block; it is refused when the table has a default partition. If it is interrupted, finish it with ALTER TABLE ... DETACH PARTITION ... FINALIZE.",
        },
      });
    }
    return hits;
  },
});
