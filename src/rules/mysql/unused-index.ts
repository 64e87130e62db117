import type { Finding } from "../../findings/finding.js";
import { mysqlIdent, mysqlQname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { formatBytes, keyParts, MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

type Options = { minUptimeSeconds: number };

/**
 * An index no statement read since the server started (performance_schema's table_io_waits_summary_by_index_usage,
 * or MariaDB's userstat). The uptime plays the role of PostgreSQL's statistics age: after a fresh restart
 * nothing is reported, since a weekly or monthly job may not have run yet. Primary and unique keys are left
 * out (they enforce something), and so are indexes of tables the counters never saw opened.
 */
export const mysqlUnusedIndex: Rule<MysqlRuleFacts, Options> = {
  id: "mysql/unused-index",
  family: "health",
  group: "indexes",
  title: "Unused index (MySQL/MariaDB)",
  description:
    "An index that no statement read since the server started, weighed against the uptime: every write still maintains it.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/performance-schema-table-io-waits-summary-by-index-usage-table.html`,
  options: {
    minUptimeSeconds: {
      default: 7 * 86_400,
      description: "uptime below which usage counters are too young to judge",
    },
  },
  check({ mysql }, o) {
    if (mysql.indexUsage === null || mysql.server.uptimeSeconds < o.minUptimeSeconds) return [];
    const usage = new Map(mysql.indexUsage.map((u) => [`${u.table}\u0000${u.index}`, u]));
    const seenTables = new Set(mysql.indexUsage.map((u) => u.table));
    const days = mysql.server.uptimeSeconds / 86_400;
    const findings: Finding[] = [];
    for (const index of mysql.indexes) {
      if (index.primary || index.unique || !seenTables.has(index.table)) continue;
      const used = usage.get(`${index.table}\u0000${index.name}`);
      if (used === undefined || used.reads > 0) continue;
      const fk = mysql.foreignKeys.find(
        (f) => f.table === index.table && f.columns.every((c, i) => index.columns[i]?.name === c),
      );
      // The server refuses to drop the index a foreign key uses (error 1553): not a fix to print.
      if (fk) continue;
      findings.push({
        ruleId: this.id,
        severity: days >= 30 ? "warning" : "info",
        title: `unused index ${index.name} on ${index.table}`,
        detail: `No statement read ${index.name} (${keyParts(index).join(", ")}) in the ${days.toFixed(1)} days since the server started${used.writes > 0 ? `, while writes updated it ${used.writes} times` : ""}.`,
        evidence: {
          table: index.table,
          index: index.name,
          reads: used.reads,
          writes: used.writes,
          uptimeSeconds: mysql.server.uptimeSeconds,
          sizeBytes: index.sizeBytes,
        },
        fix: {
          sql: sql`ALTER TABLE ${mysqlQname(index.schema, index.table)} DROP INDEX ${mysqlIdent(index.name)}`,
          note: `check that no rare job (monthly report, replica-only query) uses it first${index.sizeBytes ? `; frees about ${formatBytes(index.sizeBytes)}` : ""}`,
        },
        docsUrl: this.docsUrl,
        impact: index.sizeBytes ?? 0,
        objects: [`${index.schema}.${index.table}`, `${index.schema}.${index.name}`],
      });
    }
    return findings;
  },
};
