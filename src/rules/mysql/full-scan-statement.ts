import type { Finding } from "../../findings/finding.js";
import type { Rule } from "../rule.js";
import { MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

type Options = { minRowsExaminedPerCall: number; minCalls: number };

/**
 * A statement digest that ran without an index (performance_schema's SUM_NO_INDEX_USED) and examined many
 * rows for each row it sent: a full table scan in the workload, ranked by its statement time.
 */
export const mysqlFullScanStatement: Rule<MysqlRuleFacts, Options> = {
  id: "mysql/full-scan-statement",
  family: "workload",
  group: "workload",
  title: "Statement scanning whole tables (MySQL/MariaDB)",
  description:
    "A statement that ran without an index and examined many rows per call (performance_schema statement digests): each call reads the whole table.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/performance-schema-statement-summary-tables.html`,
  options: {
    minRowsExaminedPerCall: {
      default: 1000,
      description: "rows examined per call below which a scan is cheap",
    },
    minCalls: { default: 1, description: "calls below which a statement is not reported" },
  },
  check({ mysql }, o) {
    return (mysql.digests ?? [])
      .filter(
        (d) =>
          d.noIndexUsed > 0 && d.calls >= o.minCalls && d.rowsExamined / d.calls >= o.minRowsExaminedPerCall,
      )
      .map(
        (d): Finding => ({
          ruleId: this.id,
          severity: d.rowsExamined / Math.max(d.rowsSent, 1) >= 100 ? "warning" : "info",
          title: `full scan in ${d.text.slice(0, 60).trim()}`,
          detail: `${d.calls} calls ran without an index (${d.noIndexUsed} of them), examining ${Math.round(d.rowsExamined / d.calls)} rows per call to send ${Math.round(d.rowsSent / d.calls)}.`,
          evidence: {
            digest: d.digest,
            calls: d.calls,
            totalMs: Number(d.totalMs.toFixed(1)),
            rowsExamined: d.rowsExamined,
            rowsSent: d.rowsSent,
            noIndexUsed: d.noIndexUsed,
            fullScans: d.fullScans,
          },
          fix: {
            note: "run it through `dbopt explain` (EXPLAIN FORMAT=JSON) to see which table is scanned, then index the columns of its WHERE or join condition",
          },
          docsUrl: this.docsUrl,
          impact: d.totalMs,
          timeMs: d.totalMs,
          query: d.text,
        }),
      );
  },
};
