import { innodbBytesForPool, numberOf } from "../../facts/collect-mysql/mysql-facts.js";
import type { Finding } from "../../findings/finding.js";
import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { formatBytes, MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

type Options = { minHitRatio: number; minReadRequests: number };

/**
 * The InnoDB buffer pool's hit ratio (reads that found their page in memory) and its size against the
 * InnoDB data and indexes of every database on the server (the pool serves them all). A pool smaller than the data with a low hit ratio reads from disk.
 */
export const mysqlBufferPool: Rule<MysqlRuleFacts, Options> = {
  id: "mysql/buffer-pool",
  family: "config",
  group: "settings",
  title: "InnoDB buffer pool misses",
  description:
    "Reads that missed the InnoDB buffer pool (Innodb_buffer_pool_reads / read_requests), weighed against the pool's size and the InnoDB data.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/innodb-buffer-pool-resize.html`,
  options: {
    minHitRatio: { default: 0.99, description: "hit ratio below which it is reported" },
    minReadRequests: {
      default: 100_000,
      description: "read requests below which the ratio is too young to judge",
    },
  },
  check({ mysql, machine }, o) {
    const requests = numberOf(mysql.status, "innodb_buffer_pool_read_requests");
    const misses = numberOf(mysql.status, "innodb_buffer_pool_reads");
    if (requests < o.minReadRequests) return [];
    const hit = 1 - misses / requests;
    if (hit >= o.minHitRatio) return [];
    const pool = numberOf(mysql.variables, "innodb_buffer_pool_size");
    const { bytes: data, scope } = innodbBytesForPool(mysql);
    const chunk = Math.max(numberOf(mysql.variables, "innodb_buffer_pool_chunk_size"), 128 * 1024 * 1024);
    const ramCap = machine?.ramBytes ? machine.ramBytes * 0.75 : Number.POSITIVE_INFINITY;
    const target = Math.ceil(Math.min(Math.max(data * 1.2, pool * 2), ramCap) / chunk) * chunk;
    const finding: Finding = {
      ruleId: this.id,
      severity: hit < 0.95 ? "warning" : "info",
      title: `buffer pool hit ratio ${(hit * 100).toFixed(2)}%`,
      detail: `${misses} of ${requests} InnoDB page reads went to disk. The pool is ${formatBytes(pool)}; ${scope === "server" ? "the InnoDB data and indexes of every database on the server" : "this database's InnoDB data and indexes"} are ${formatBytes(data)}.`,
      evidence: {
        hitRatio: Number(hit.toFixed(4)),
        bufferPoolReads: misses,
        bufferPoolReadRequests: requests,
        bufferPoolSizeBytes: pool,
        innodbDataBytes: data,
      },
      docsUrl: this.docsUrl,
      impact: misses,
    };
    if (target > pool) {
      finding.fix = {
        sql: sql`SET GLOBAL innodb_buffer_pool_size = ${target}`,
        note: `resizes online (in chunks of ${formatBytes(chunk)}); keep it within about 75% of the RAM of a dedicated server${machine?.ramBytes ? "" : " (give --ram to have it capped)"}, and put it in the config file`,
      };
    }
    return [finding];
  },
};
