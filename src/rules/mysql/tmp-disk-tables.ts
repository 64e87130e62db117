import { numberOf } from "../../facts/collect-mysql/mysql-facts.js";
import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { formatBytes, MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

type Options = { maxDiskShare: number; minDiskTables: number };

/**
 * Internal temporary tables (GROUP BY, DISTINCT, UNION, derived tables) that went to disk: the in-memory
 * limit is the smaller of tmp_table_size and max_heap_table_size, so raising one alone changes nothing. A
 * TEXT/BLOB column sends a temporary table to disk on MariaDB whatever the sizes: the detail says so.
 */
export const mysqlTmpDiskTables: Rule<MysqlRuleFacts, Options> = {
  id: "mysql/tmp-disk-tables",
  family: "config",
  group: "settings",
  title: "Temporary tables written to disk",
  description:
    "A large share of internal temporary tables went to disk (Created_tmp_disk_tables / Created_tmp_tables): the statements that build them wait on I/O.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/internal-temporary-tables.html`,
  options: {
    maxDiskShare: {
      default: 0.25,
      description: "share of temporary tables on disk above which it is reported",
    },
    minDiskTables: { default: 100, description: "temporary tables on disk below which it is not reported" },
  },
  check({ mysql }, o) {
    const disk = numberOf(mysql.status, "created_tmp_disk_tables");
    const all = numberOf(mysql.status, "created_tmp_tables");
    if (all === 0 || disk < o.minDiskTables || disk / all <= o.maxDiskShare) return [];
    const limit = Math.min(
      numberOf(mysql.variables, "tmp_table_size"),
      numberOf(mysql.variables, "max_heap_table_size"),
    );
    const target = Math.max(limit * 2, 64 * 1024 * 1024);
    return [
      {
        ruleId: this.id,
        severity: "warning",
        title: `${((disk / all) * 100).toFixed(0)}% of temporary tables went to disk`,
        detail: `${disk} of ${all} internal temporary tables since the start were written to disk; the in-memory limit is ${formatBytes(limit)} (the smaller of tmp_table_size and max_heap_table_size). Tables with TEXT or BLOB columns go to disk at any size: check the statements with tmp disk tables in their digests.`,
        evidence: {
          createdTmpDiskTables: disk,
          createdTmpTables: all,
          tmpTableSizeBytes: numberOf(mysql.variables, "tmp_table_size"),
          maxHeapTableSizeBytes: numberOf(mysql.variables, "max_heap_table_size"),
        },
        fix: {
          sql: sql`SET GLOBAL tmp_table_size = ${target}; SET GLOBAL max_heap_table_size = ${target}`,
          note: `raises both limits to ${formatBytes(target)} for new sessions; each session may use that much per temporary table, so weigh it against the RAM; put the same values in the config file to keep them after a restart`,
        },
        docsUrl: this.docsUrl,
        impact: disk,
      },
    ];
  },
};
