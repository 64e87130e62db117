import { numberOf } from "../../facts/collect-mysql/mysql-facts.js";
import type { Rule } from "../rule.js";
import { formatBytes, MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

type Options = { maxShareOfRam: number };

/** Buffers each connection may allocate (MySQLTuner's per-thread sum). */
const PER_THREAD_BUFFERS = [
  "sort_buffer_size",
  "join_buffer_size",
  "read_buffer_size",
  "read_rnd_buffer_size",
  "thread_stack",
  "binlog_cache_size",
] as const;
/** Buffers the server allocates once. */
const GLOBAL_BUFFERS = [
  "innodb_buffer_pool_size",
  "innodb_log_buffer_size",
  "key_buffer_size",
  "query_cache_size",
  "aria_pagecache_buffer_size",
] as const;

export function memoryFigures(variables: Record<string, string>) {
  const perThread = PER_THREAD_BUFFERS.reduce((sum, name) => sum + numberOf(variables, name), 0);
  const global = GLOBAL_BUFFERS.reduce((sum, name) => sum + numberOf(variables, name), 0);
  const tmp = Math.min(numberOf(variables, "tmp_table_size"), numberOf(variables, "max_heap_table_size"));
  return { perThread, global, tmp, maxConnections: numberOf(variables, "max_connections") };
}

/**
 * MySQLTuner's worst case: global buffers + (per-thread buffers + a temporary table) × max_connections. Over
 * the machine's RAM, a burst of connections can push the server into swap or the OOM killer. Needs --ram.
 */
export const mysqlMemoryOverRam: Rule<MysqlRuleFacts, Options> = {
  id: "mysql/memory-over-ram",
  family: "config",
  group: "settings",
  title: "Buffers × connections can exceed the RAM",
  description:
    "Global buffers plus per-connection buffers times max_connections (MySQLTuner's maximum memory) against the machine's RAM (--ram).",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/memory-use.html`,
  options: { maxShareOfRam: { default: 0.9, description: "share of the RAM the worst case may take" } },
  check({ mysql, machine }, o) {
    const ram = machine?.ramBytes;
    if (!ram) return [];
    const m = memoryFigures(mysql.variables);
    const worst = m.global + (m.perThread + m.tmp) * m.maxConnections;
    const peak = m.global + (m.perThread + m.tmp) * numberOf(mysql.status, "max_used_connections");
    if (worst <= ram * o.maxShareOfRam) return [];
    return [
      {
        ruleId: this.id,
        severity: peak > ram * o.maxShareOfRam ? "warning" : "info",
        title: `up to ${formatBytes(worst)} of buffers on ${formatBytes(ram)} of RAM`,
        detail: `Global buffers ${formatBytes(m.global)} plus (${formatBytes(m.perThread)} per connection + a ${formatBytes(m.tmp)} temporary table) × max_connections ${m.maxConnections} comes to ${formatBytes(worst)}; at the peak seen (${numberOf(mysql.status, "max_used_connections")} connections) ${formatBytes(peak)}.`,
        evidence: {
          worstCaseBytes: worst,
          peakBytes: peak,
          ramBytes: ram,
          globalBuffersBytes: m.global,
          perThreadBytes: m.perThread,
          maxConnections: m.maxConnections,
        },
        fix: {
          note: "lower max_connections (pool the connections) or the per-thread buffers; `dbopt tune --ram` prints values that fit",
        },
        docsUrl: this.docsUrl,
        impact: worst / ram,
      },
    ];
  },
};
